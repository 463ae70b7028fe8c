"""The help screen: keys of every screen, and the typed /commands the answer box shares with line mode."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Everywhere", [
        ("F1", "this help"),
        ("Ctrl+P", "command palette: jump to an aspect, add an action, flag, review, end the visit, theme…"),
        ("Ctrl+Q", "quit (an open visit is paused; resume it from the list of visits)"),
        ("Tab / Shift+Tab", "move between the answer box, the messages, the criteria and the agenda"),
    ]),
    ("Visits", [
        ("Enter", "resume the highlighted visit (an ended one opens its review)"),
        ("n", "start a visit"),
        ("r", "refresh the list"),
        ("d", "the highlighted visit's organisation: an LA's dashboard for the visit's year, a school's page"),
        ("o", "the regional overview: every LA's group ratings per phase"),
        ("j", "start a joint visit with a SIP or NCA (the Appendix 5 form); F7 on the new-visit form does too"),
    ]),
    ("Dashboard", [
        ("arrows / Enter", "move over the cells; Enter opens an aspect and phase across the year's visits"),
        ("c / a / n", "coverage through the year / its actions / the next visit drafted from the plan"),
        ("s", "the LA's schools: open one's page (its visits, actions and joint visits)"),
        ("y / ]", "the earlier / the later year"),
        ("", "marks: * the adviser's rating (G/NI: Good where the criteria suggest NI), = agreed, ! the sources "
             "disagree; a roll-up says how many aspect ratings it rests on"),
    ]),
    ("Overview, coverage, actions", [
        ("/", "overview: find an LA by name (Esc clears); Enter opens its dashboard"),
        ("t", "coverage: questions × visits, or aspects × terms"),
        ("1 2 3 4", "actions: all, open, overdue, done; Enter marks the highlighted one (F2–F5 in the dialog)"),
    ]),
    ("Joint visit", [
        ("Space", "tick a standard seen, or choose a grade; saved at once"),
        ("Tab", "next field: the text of the one left is saved (what you type is the draft meanwhile)"),
        ("Ctrl+S", "save the field you are in now"),
        ("F2", "write the record of the visit (.docx) for the headteacher and the LA"),
        ("F3", "end the joint visit: its values are then kept as they are"),
        ("Esc", "back to the visits (the visit is paused)"),
    ]),
    ("Interview", [
        ("Enter", "send the answer"),
        ("Ctrl+J", "new line in the answer (Shift+Enter too where the terminal reports it)"),
        ("Ctrl+S", "skip the question (dismiss a probe); on a question you went back to, keep its answer"),
        ("Ctrl+O", "back to the previous question: answering again replaces the answer"),
        ("Ctrl+G", "jump to an aspect (or choose it in the agenda on the left)"),
        ("Ctrl+N", "add an agreed action with owner and due date"),
        ("F6", "the actions to follow up (this visit's and earlier visits' still open or carried forward, "
               "overdue ones marked): mark one done, dropped or carried forward, with a date and a note"),
        ("Ctrl+F", "flag the answer just given (or the focused one) as about an individual's performance: kept, "
                   "but left out of notes, briefings and exports (again to clear)"),
        ("F2", "edit an earlier answer"),
        ("Ctrl+R", "review the ratings (accept, override, the LA's self-evaluation, end the visit)"),
        ("F3 / F4", "show or hide the agenda outline / the criteria panel (narrow terminals hide the outline)"),
        ("F5", "the criteria panel shows and judges one phase, the next, then every phase of the visit again"),
        ("F8", "record the number an answer offered as its indicator's value (or type /value ID N)"),
        ("Esc", "from a panel or message: back to the answer box; from the answer box: leave the visit (it is "
                "paused) and go back to the list"),
        ("", "what you type is kept as a draft while you type; leaving or quitting with an unsent answer asks "
             "whether to keep it, and a kept draft comes back when the visit is reopened"),
    ]),
    ("A focused message", [
        ("c", "copy its text to the clipboard"),
        ("e / f", "edit / flag an answer"),
    ]),
    ("A focused criterion", [
        ("m / p / n / u", "met / partly met / not met / not judged (pressing the same state again clears it)"),
        ("↑ / ↓", "previous / next criterion"),
    ]),
    ("Actions to follow up (F6)", [
        ("↑ / ↓", "choose an action; the boxes below take a date (empty: the visit's) and a note"),
        ("F2 / F3", "mark it done / dropped (a drop needs a reason in the note)"),
        ("F4", "carry it forward (the date box is then its new due date, if any)"),
        ("F5", "open it again (its history is kept)"),
        ("Esc", "close"),
    ]),
    ("Review", [
        ("a", "accept the suggested rating"),
        ("w", "write the summary the note of visit gives (key findings per aspect and overall; starts from a "
              "draft built from the record)"),
        ("o", "override it, with a reason"),
        ("s", "record the LA's own self-evaluation"),
        ("d", "draft the note of visit (when one exists, asks, then drafts it again beside it: NAME-2.docx)"),
        ("m / F6", "the actions to follow up: mark them done, dropped or carried forward"),
        ("e", "end the visit"),
        ("Esc", "back"),
    ]),
    ("Day plan of a school review (Ctrl+P: Review day plan, or Enter on a review in the list)", [
        ("← / →", "the previous / next day"),
        ("r", "the next reviewer's sessions, listed below the plan"),
        ("e", "edit what that reviewer does in the highlighted session (Enter saves, Esc cancels)"),
        ("Esc", "back"),
    ]),
]


def help_text() -> Content:
    from ...app.slash import HELP

    parts: list = []
    for section, keys in KEYS:
        parts.append(Content.styled(section, "bold $accent"))
        for key, what in keys:
            parts.append(Content.assemble((f"  {key:<16}", "bold"), what))
        parts.append(Content(""))
    parts.extend(_settings_lines())
    parts.append(Content.styled("Typed commands (the same as line mode, `laqs chat`)", "bold $accent"))
    parts.append(Content(HELP))
    return Content("\n").join(parts)


def _settings_lines() -> list[Content]:
    """Where the adviser's settings live and what they say, so they are set once and not typed each visit."""
    from ... import settings

    out = [Content.styled("Your settings", "bold $accent"),
           Content.assemble(("  file            ", "bold"), str(settings.settings_path()))]
    try:
        mine = settings.load().as_dict()
    except Exception as exc:  # noqa: BLE001 - a broken file is shown, not fatal here
        out.append(Content.styled(f"  {exc}", "$text-error"))
        mine = {}
    for key, value in mine.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        out.append(Content.assemble((f"  {key:<16}", "bold"), shown or Content.styled("not set", "$text-muted")))
    out.append(Content.styled('  set one with: laqs settings set name "Jo Bloggs" (also store, phases, theme)',
                              "$text-muted"))
    out.append(Content(""))
    return out


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog") as box:
            box.border_title = "Help"
            with VerticalScroll():
                yield Static(help_text(), id="help-text")
            yield Static(Content.styled("Esc closes", "$text-muted"))

    def action_close(self) -> None:
        self.dismiss(None)
