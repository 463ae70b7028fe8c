"""The criteria panel: the current aspect's criteria grouped by column, met / partly / not met toggles, the live
suggestion with its ceiling and reason. Criteria the answer seems to bear on are highlighted."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from ...app.views import PanelView
from ..engine import NA

if TYPE_CHECKING:
    from ...packs.model import Pack

GLYPH = {"met": "✓", "partly": "~", "not_met": "✗", "unknown": "·", "mixed": "±"}
STATE_WORDS = {"met": "met", "partly": "partly met", "not_met": "not met", "unknown": "not judged",
               "mixed": "differs between phases"}


def dom_id(prefix: str, ident: str) -> str:
    """Criterion ids (2.4.G.1) as widget ids."""
    return prefix + re.sub(r"[^A-Za-z0-9_-]", "_", ident)


BUTTON_WORDS = {"met": "met", "partly": "partly", "not_met": "not", "present": "present", "missing": "missing"}
ON_STYLE = {"met": "bold $text on $success", "partly": "bold $text on $warning", "not_met": "bold $text on $error",
            "none": "bold $text on $error", "some": "bold $text on $warning", "substantial": "bold $text on $success"}
OFF_STYLE = "$text-muted on $panel"
HEAD_WIDTH = 13  # the id column; the toggles start after it


def _toggles(choices: tuple[str, ...], current: str | None, words: dict[str, str]) -> tuple[Content, list[int]]:
    """Clickable toggles as content: each runs the widget's action_judge(state) when clicked. Also returns the
    column where each starts (the tests click there)."""
    parts: list = []
    starts: list[int] = []
    at = 0
    for s in choices:
        label = f" {words.get(s, s)} "
        style = ON_STYLE.get(s, "bold $text on $success") if s == current else OFF_STYLE
        starts.append(at)
        parts.append(Content.from_markup(f"[{style} @click=judge('{s}')]{label}[/]"))
        parts.append(" ")
        at += len(label) + 1
    return Content.assemble(*parts), starts


class CriterionRow(Static, can_focus=True):
    """One criterion or counted-set item, drawn as one widget (a panel has dozens): its state, id, critical star,
    a hint mark, clickable met / partly / not toggles, and its text. Keys on the focused row: m met, p partly,
    n not met, u not judged; the same state again clears it."""

    BINDINGS = [
        Binding("m", "judge('met')", "Met"),
        Binding("p", "judge('partly')", "Partly"),
        Binding("n", "judge('not_met')", "Not met"),
        Binding("u", "judge('unknown')", "Clear"),
        Binding("down", "app.focus_next", "Next", show=False),
        Binding("up", "app.focus_previous", "Previous", show=False),
    ]

    class Judge(Message):
        def __init__(self, target: str, state: str) -> None:
            super().__init__()
            self.target = target
            self.state = state

    def __init__(self, target: str, label: str, text: str, *, critical: bool = False, judgeable: bool = True,
                 states: tuple[str, ...] = ("met", "partly", "not_met"), source: str = "") -> None:
        self.target = target
        self.label = label
        self.text = " ".join(text.split())
        self.critical = critical
        self.judgeable = judgeable
        self.choices = states
        self.source = source
        self.state = "unknown"
        self.hinted = False
        self._starts: list[int] = []
        super().__init__(self._content(), id=dom_id("c-", target), classes="criterion")
        if not judgeable:
            self.can_focus = False

    def _content(self) -> Content:
        glyph = GLYPH.get(self.state, "·")
        mark = (" ★" if self.critical else "") + (" ◆" if self.hinted else "")
        head_len = len(glyph) + 1 + len(self.label) + len(mark)
        pad = max(1, HEAD_WIDTH - head_len)
        parts: list = [(glyph + " ", "bold $text-success" if self.state == "met" else "bold"), (self.label, "bold")]
        if self.critical:
            parts.append((" ★", "$text-warning"))
        if self.hinted:
            parts.append((" ◆", "bold $accent"))
        parts.append(" " * pad)
        if self.judgeable:
            words = BUTTON_WORDS
            if self.choices == ("met", "not_met"):
                words = {"met": "present", "not_met": "missing"}
            toggles, starts = _toggles(self.choices, self.state, words)
            offset = head_len + pad
            self._starts = [offset + x for x in starts]
            parts.append(toggles)
        body = self.text + (f" ({self.source})" if self.source else "")
        parts += ["\n", Content.styled(body, "$text" if self.state == "met" else "$text-muted")]
        return Content.assemble(*parts)

    def toggle_offset(self, state: str) -> int:
        """The column of a toggle within the row (for a click)."""
        return self._starts[self.choices.index(state)] + 1

    def set_state(self, state: str, hinted: bool) -> None:
        if state == self.state and hinted == self.hinted:
            return
        self.state = state
        self.hinted = hinted
        for s in ("met", "partly", "not_met", "unknown", "mixed"):
            self.set_class(state == s, f"-{s}")
        self.set_class(hinted, "-hint")
        self.update(self._content())
        self.tooltip = f"{self.target}: {STATE_WORDS.get(state, state)}" + (" · critical" if self.critical else "")

    def action_judge(self, state: str) -> None:
        if not self.judgeable:
            return
        if state != "unknown" and state not in self.choices:
            return
        # Pressing the state a criterion already has clears it: the toggles are toggles.
        new = "unknown" if state == self.state and state != "unknown" else state
        self.post_message(self.Judge(self.target, new))


class ImpactRow(Static):
    """The evidence of impact seen for the aspect: Good and Outstanding need it."""

    class Chosen(Message):
        def __init__(self, level: str) -> None:
            super().__init__()
            self.level = level

    def __init__(self, levels: list[tuple[str, str]]) -> None:
        self.levels = levels
        self.level: str | None = None
        self._starts: list[int] = []
        super().__init__(self._content(), id="impact-row")

    def _content(self) -> Content:
        toggles, starts = _toggles(tuple(lid for lid, _ in self.levels), self.level, {})
        self._starts = [len("Impact ") + x for x in starts]
        return Content.assemble(("Impact ", "bold"), toggles)

    def toggle_offset(self, level: str) -> int:
        return self._starts[[lid for lid, _ in self.levels].index(level)] + 1

    def set_level(self, level: str | None) -> None:
        if level == self.level and self._starts:
            return
        self.level = level
        self.update(self._content())
        names = dict(self.levels)
        self.tooltip = f"Evidence of impact: {names.get(level, 'not recorded' if level is None else level)}"

    def action_judge(self, level: str) -> None:
        self.post_message(self.Chosen(level))


class IndicatorRow(Vertical):
    """A number the threshold criteria read (a percentage, a count, a national position)."""

    class Entered(Message):
        def __init__(self, indicator: str, raw: str) -> None:
            super().__init__()
            self.indicator = indicator
            self.raw = raw

    def __init__(self, indicator_id: str, text: str, unit: str) -> None:
        super().__init__(id=dom_id("i-", indicator_id), classes="indicator")
        self.indicator_id = indicator_id
        self.text = " ".join(text.split())
        self.unit = unit

    def compose(self) -> ComposeResult:
        with Horizontal(classes="indicator-head"):
            yield Static(Content.styled(self.indicator_id, "bold"), classes="criterion-id")
            yield Input(placeholder=self.unit, type="number", compact=True, classes="indicator-input",
                        id=dom_id("iv-", self.indicator_id))
        yield Static(Content(self.text), classes="criterion-text")

    def set_value(self, value: float | None) -> None:
        inp = self.query_one(Input)
        if inp.has_focus:
            return
        inp.value = "" if value is None else f"{value:g}"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.Entered(self.indicator_id, event.value.strip()))


class CriteriaList(VerticalScroll, can_focus=False):
    """The scrolling part of the panel; its rows take the focus, not the list itself."""


class CriteriaPanel(Vertical):
    """The live rating (always in view) over the aspect's criteria (scrolling). Built once per aspect; states,
    hints and ratings update in place."""

    def __init__(self, pack: "Pack", **kwargs) -> None:
        super().__init__(**kwargs)
        self.pack = pack
        self.aspect_id: str | None = None
        self.border_title = "Criteria"
        self._rows: dict[str, CriterionRow] = {}
        self._lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Static("", id="rating-box")
        with CriteriaList(id="criteria-list"):
            yield Static(Content.styled("No aspect yet.", "$text-muted"), id="panel-empty")

    async def show(self, view: PanelView | None, hints: set[str]) -> None:
        if view is None:
            return
        # Workers may redraw at once (an answer, a hint while typing): one at a time, so a rebuild is never mixed.
        async with self._lock:
            await self._show(view, hints)

    async def _show(self, view: PanelView, hints: set[str]) -> None:
        rebuilt = view.aspect_id != self.aspect_id
        if rebuilt:
            await self._build(view.aspect_id, view.phases)
        first_new_hint = None
        for target, row in self._rows.items():
            hinted = target in hints
            if hinted and not row.hinted and first_new_hint is None:
                first_new_hint = row
            row.set_state(view.states.get(target, "unknown"), hinted)
        if first_new_hint is not None:
            # Bring the first criterion the answer bears on into view (without taking focus from the answer box).
            self.query_one("#criteria-list").scroll_to_widget(first_new_hint, animate=False, top=True)
        self.query_one("#rating-box", Static).update(self._rating_text(view))
        impact = self.query("#impact-row")
        if impact:
            impact.first(ImpactRow).set_level(view.impact)
        for row in self.query(IndicatorRow):
            row.set_value(view.values.get(row.indicator_id))

    async def _build(self, aspect_id: str, phases: tuple[str, ...] = ()) -> None:
        """The aspect's rows; criteria and indicators limited to phases the visit has none of are left out."""
        pack = self.pack
        aspect = pack.aspects[aspect_id]
        self.aspect_id = aspect_id
        self.border_title = f"Criteria · {aspect_id}"
        await self.query(".panel-part").remove()
        empty = self.query("#panel-empty")
        if empty:
            await empty.remove()
        parts: list = [Static(Content.assemble((aspect.id + " ", "bold"), aspect.title), classes="panel-part "
                                                                                                  "aspect-title")]
        if pack.evidence_levels:  # a framework that names no levels of evidence of impact has no row for them
            parts.append(ImpactRow([(e.id, e.label) for e in pack.evidence_levels]))
            parts[-1].add_class("panel-part")

        def concerns_visit(target: str) -> bool:
            only = pack.phases_of(target)
            return only is None or not phases or any(p in only for p in phases)

        self._rows = {}
        for col in pack.columns:
            crit = [c for c in aspect.criteria_in(col.id) if concerns_visit(c.id)]
            if not crit:
                continue
            parts.append(Static(Content.assemble((f"{col.id} ", "bold"), col.label), classes=f"panel-part column-head "
                                                                                              f"-rag-{col.rag}"))
            for c in crit:
                source = ""
                if c.kind == "count":
                    source = f"worked out from {c.count.set_id}"
                elif c.kind == "threshold":
                    source = f"worked out from {c.threshold.indicator_id} ({c.threshold.range.describe()})"
                if c.phases and len(phases) > 1:
                    source = (source + "; " if source else "") + "only " + ", ".join(c.phases)
                row = CriterionRow(c.id, c.id, c.text, critical=c.critical, judgeable=c.kind == "statement",
                                   source=source)
                row.add_class("panel-part")
                self._rows[c.id] = row
                parts.append(row)
        for cset in aspect.sets:
            items = [it for it in cset.items if not it.criterion]
            if not items:
                continue
            parts.append(Static(Content.assemble(("Counted ", "bold"), " ".join(cset.text.split())),
                                classes="panel-part column-head -counted"))
            for it in items:
                row = CriterionRow(it.id, it.id.removeprefix(cset.id + "."), it.text, states=("met", "not_met"))
                row.add_class("panel-part")
                self._rows[it.id] = row
                parts.append(row)
        indicators = [ind for ind in aspect.indicators if concerns_visit(ind.id)]
        if indicators:
            parts.append(Static(Content.styled("Indicators (Enter records)", "bold"),
                                classes="panel-part column-head -indicators"))
            for ind in indicators:
                row = IndicatorRow(ind.id, ind.text, ind.unit)
                row.add_class("panel-part")
                parts.append(row)
        listing = self.query_one("#criteria-list", VerticalScroll)
        await listing.mount_all(parts)
        listing.scroll_home(animate=False)

    def _rating_text(self, view: PanelView) -> Content:
        """One line per phase (suggestion, ceiling); the reasons once, or per phase where they differ."""
        pack = self.pack
        lines: list = []
        if len(view.phases) > 1:
            scope = view.scope or view.phases
            head = ("Judging: ", "bold")
            if len(scope) == 1:
                lines.append(Content.assemble(head, (f"{pack.phase_name(scope[0])} only", "bold $accent"),
                                              (" · F5 next", "$text-muted")))
            else:
                lines.append(Content.assemble(head, ", ".join(pack.phase_name(p) for p in scope),
                                              (" · F5 one phase", "$text-muted")))
        whys: dict[str, list[str]] = {}
        lifts: dict[str, list[str]] = {}
        # Phases that agree share a line: "Primary, Secondary: Good · ceiling OS".
        groups: dict[tuple, list[str]] = {}
        for r in view.ratings:
            groups.setdefault((r.suggestion, r.ceiling), []).append(pack.phase_name(r.phase))
            if r.suggestion == NA:
                continue
            whys.setdefault(r.reason, []).append(r.phase)
            lift = "; ".join(r.lift)
            if lift:
                lifts.setdefault(lift, []).append(r.phase)
        for (suggestion, ceiling), names in groups.items():
            name = ", ".join(names)
            if suggestion == NA:
                lines.append(Content.assemble((f"{name}: ", "bold"), "N/A"))
                continue
            if suggestion:
                col = pack.column(suggestion)
                sug = Content.styled(f"{col.label}", f"bold $text-{_rag_var(col.rag)}")
            else:
                sug = Content.styled("no suggestion yet", "italic")
            ceil = pack.column(ceiling).id if ceiling and ceiling != NA else "—"
            # A judged level has no ceiling to work out: it is what the adviser judged.
            lines.append(Content.assemble((f"{name}: ", "bold"), sug,
                                          ("" if pack.judged else f" · ceiling {ceil}", "$text-muted")))
        several = len(view.ratings) > 1
        # The engine's reasons quote whole criteria; the panel keeps them short (the rows below hold the text,
        # the tooltip and the review the whole reason).
        for text, phases in whys.items():
            tag = f" ({', '.join(phases)})" if several and len(whys) > 1 else ""
            lines.append(Content.assemble((f"why{tag}: ", "bold $text-muted"), (_clip(text, 150), "$text-muted")))
        for text, phases in lifts.items():
            tag = f" ({', '.join(phases)})" if several and len(lifts) > 1 else ""
            lines.append(Content.assemble((f"to lift{tag}: ", "bold $text-muted"),
                                          (_clip(text, 120), "italic $text-muted")))
        warned: dict[str, list[str]] = {}
        for r in view.ratings:
            for w in r.warnings:
                warned.setdefault(w.message, []).append(r.phase)
        for text, phases in warned.items():
            tag = f" ({', '.join(phases)})" if several and len(phases) < len(view.ratings) else ""
            lines.append(Content.assemble((f"!{tag} ", "bold $text-warning"), (_clip(text, 150), "$text-warning")))
        assumes = list(dict.fromkeys(r.ceiling_assumes for r in view.ratings if r.ceiling_assumes))
        self.query_one("#rating-box", Static).tooltip = "\n".join(
            [f"why: {t}" for t in whys] + [f"the ceiling assumes: {t}" for t in assumes] +
            [f"to lift: {t}" for t in lifts] + [f"! {t}" for t in warned]) or None
        if not lines:
            lines.append(Content.styled("This aspect does not apply to the visit's phases.", "$text-muted"))
        return Content("\n").join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _rag_var(rag: str) -> str:
    return {"G": "success", "A": "warning", "R": "error"}.get(rag, "primary")
