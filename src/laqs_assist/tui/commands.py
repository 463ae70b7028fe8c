"""The command palette's own commands (Ctrl+P): what the screen in front can do, found by name."""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, str, Callable[[], object]]


class LaqsCommands(Provider):
    def commands(self) -> Iterator[Command]:
        from .screens.home import HomeScreen
        from .screens.interview import InterviewScreen
        from .screens.review import ReviewScreen

        app = self.app
        screen = self.screen
        if isinstance(screen, InterviewScreen):
            yield "Open review", "ratings per aspect and phase: accept, override, the LA's view", screen.action_review
            yield "Add an action", "an agreed action with an owner and a due date", screen.action_add_action
            yield ("Follow up actions", "mark this and earlier visits' actions done, dropped or carried forward",
                   screen.action_actions)
            yield "Flag the latest answer", "it concerns an individual: kept out of shared notes", screen.action_flag
            yield "Edit an earlier answer", "rewrite an answer; the earlier wording is kept", screen.action_edit
            yield "Skip this question", "or dismiss the probe", screen.action_skip
            yield "Back to the previous question", "answering again replaces the answer", screen.action_back
            yield "End visit", "end the visit and review its ratings", screen.action_end
            yield "Copy the current question", "to the clipboard", screen.action_copy_question
            yield "Leave the visit", "pause it and go back to the list of visits", screen.action_leave
            pack = app.pack
            seen: list[str] = []
            for item in screen.view.items:
                if item.aspect_id not in seen:
                    seen.append(item.aspect_id)
            for aid in seen:
                title = " ".join(pack.aspects[aid].title.split())
                title = title if len(title) <= 90 else title[:89] + "…"
                yield (f"Jump to aspect {aid}", title, partial(screen.jump_to, aid))
        elif isinstance(screen, ReviewScreen):
            yield "Accept the suggested rating", "for the highlighted aspect and phase", screen.action_accept
            yield "Override the rating", "with a reason", screen.action_override
            yield "Record the LA's self-evaluation", "kept beside the adviser's rating", screen.action_self_evaluation
            yield "Draft note of visit", "a .docx checked against 2.4's seven features", screen.action_draft_note
            yield ("Follow up actions", "mark this and earlier visits' actions done, dropped or carried forward",
                   screen.action_actions)
            yield "End visit", "no more answers; the ratings stay editable", screen.action_end_visit
            yield "Back", "leave the review", screen.action_back
        elif isinstance(screen, HomeScreen):
            yield "New visit", "start a visit with the short form", screen.action_new_visit
            yield ("New joint visit", "a joint visit with a SIP or NCA to a school: the Appendix 5 form (j)",
                   screen.action_new_joint_visit)
            yield "Resume the highlighted visit", "carry on where it stopped", screen.action_resume
        from .screens.joint_visit import JointVisitScreen
        from .screens.new_visit import NewVisitScreen

        if isinstance(screen, NewVisitScreen):
            yield ("Joint visit with a SIP instead", "the Appendix 5 form, for the school typed here (F7)",
                   screen.action_joint_visit)
        if isinstance(screen, JointVisitScreen):
            yield "Write the record of the visit", "a .docx for the headteacher and the LA", screen.action_record
            yield "End the joint visit", "its values are then kept as they are", screen.action_end
            yield "Back to the visits", "the form is saved and paused", screen.action_leave
        yield "Help", "keys and typed commands", app.action_help

    async def discover(self) -> Hits:
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = max(matcher.match(name), matcher.match(f"{name} {help_text}") * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
