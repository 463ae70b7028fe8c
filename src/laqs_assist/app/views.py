"""What the application service hands to a front end: plain data (named tuples, dicts), never the Store or the
Session. Named tuples are cheap to define, so a front end can import these on its start-up path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..rating import Rating


class PanelView(NamedTuple):
    """The criteria panel of one aspect: ratings per phase and the state of every judgeable target."""

    aspect_id: str
    phases: tuple[str, ...]  # the visit's phases where the aspect applies
    ratings: tuple["Rating", ...]
    states: dict[str, str]  # criterion or set-item id -> met/partly/not_met/unknown, or "mixed" across phases
    impact: str | None  # evidence-of-impact level (first phase), or "mixed"
    values: dict[str, float]  # indicator id -> value (first phase that has one)
    scope: tuple[str, ...] = ()  # the phases shown and judged by a click: all of `phases`, or one of them


class Turn(NamedTuple):
    """One entry of the transcript: a question and its answer, or a note outside the agenda."""

    kind: str  # "answer" or "note"
    aspect_id: str
    question: str
    label: str
    response_id: str
    text: str
    flagged: bool


class InterviewView(NamedTuple):
    visit: dict[str, Any]
    items: tuple[Any, ...]  # session.Item (frozen)
    current: Any | None  # session.Item or None when every item is dealt with
    recorded: str | None  # the recorded answer of the current item when revisiting it
    done: int
    total: int
    year_coverage: dict[str, int]  # responses per aspect this academic year, every visit
    panel: PanelView | None
    actions: int
    transcript: tuple[Turn, ...] = ()
    draft: dict[str, Any] | None = None  # the unsent draft ({text, updated_at}), given when a visit is opened
    recorded_flagged: bool = False  # the recorded answer concerns an individual (shown with its flag)
    overdue: int = 0  # the organisation's actions (of every visit) open or carried forward past their due date

    @property
    def ended(self) -> bool:
        return self.visit["status"] == "ended"


class Answered(NamedTuple):
    """An answer recorded: its row, the item it answered, the criteria it may bear on, the indicator value a typed
    answer set ((indicator, value),) and the numbers it offers as indicator values (session.Offer)."""

    response: dict[str, Any]
    item: Any
    hints: tuple[str, ...]
    sets: tuple[tuple[str, Any], ...] = ()
    offers: tuple[Any, ...] = ()


class AnswerResult(NamedTuple):
    response: dict[str, Any]
    item: Any
    hints: tuple[str, ...]
    sets: tuple[tuple[str, Any], ...]
    offers: tuple[Any, ...]
    view: InterviewView


class CommandResult(NamedTuple):
    lines: tuple[str, ...]
    view: InterviewView


class ReviewView(NamedTuple):
    visit: dict[str, Any]
    rows: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]  # this visit's, each with its status now and `overdue`


class HomeView(NamedTuple):
    visits: tuple[dict[str, Any], ...]  # each with `overdue`: its organisation's overdue actions
    organisations: tuple[dict[str, Any], ...]
    store_path: str


class ActionsView(NamedTuple):
    """The actions a visit can mark, as /actions numbers them (store/actions.py names each action's fields; each
    also has `position`, `earlier` and `overdue`), and the organisation's overdue ones of every visit."""

    organisation: str
    actions: tuple[dict[str, Any], ...]
    overdue: tuple[dict[str, Any], ...]


class NoteView(NamedTuple):
    path: str
    checks: tuple[tuple[bool | None, str], ...] = ()
    earlier: str | None = None  # drafted again: the earlier draft, kept beside the new one


class VisitRecord(NamedTuple):
    """Everything one visit holds, as `laqs visits show` prints it."""

    visit: dict[str, Any]
    responses: list[dict[str, Any]]
    judgements: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    ratings: list[dict[str, Any]]
    overdue: list[dict[str, Any]] = []  # the organisation's overdue actions, of every visit

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class YearRatings(NamedTuple):
    """An organisation's ratings for a year: (phase, aspect) -> column, N/A or None."""

    organisation: dict[str, Any]
    year: str
    ratings: dict[tuple[str, str], str | None]
    details: dict[tuple[str, str], Any] = {}  # (phase, aspect) -> session.year.YearRating: how each stands, why


__all__ = ["ActionsView", "AnswerResult", "Answered", "CommandResult", "HomeView", "InterviewView", "NoteView",
           "PanelView", "ReviewView", "Turn", "VisitRecord", "YearRatings"]
