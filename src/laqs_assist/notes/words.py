"""The words a note of visit uses for a framework's parts, from the pack's own terms: "aspect" and "rating" in the
2009 standards, "dimension" and "level" in the G&T standard. The 2009 standards' wording is the default, so a
pack that declares no terms reads as before; a judged framework (no criteria per level) says what its levels
rest on instead of what the criteria allow.
"""

from __future__ import annotations

from typing import Any

from ..packs.model import Pack


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def note_words(pack: Pack) -> dict[str, str]:
    """The headings and lead-in sentences of a note of visit in the pack's words."""
    t = pack.terms
    if pack.judged:
        intro = (f"The {t.rating} of each {t.aspect}, judged by the adviser directly on the evidence recorded "
                 f"(answers, notes and documents), marked agreed once accepted at the end of the visit, beside the "
                 f"{t.self_evaluation} where it was given. {pack.rating_note}").strip()
    else:
        intro = ("Per phase, in the words of the quality standards: the adviser's rating (an override, with what "
                 "the criteria allow), agreed (the suggestion accepted) or suggested (the highest rating the "
                 "criteria allow, not yet agreed).")
    return {
        "aspect": _cap(t.aspect), "aspects": t.aspects, "rating": _cap(t.rating), "self_evaluation": t.self_evaluation,
        "ratings_heading": f"Contributory {t.rating}s",
        # A judged level has no criteria to name strengths and priorities from: the evidence it rests on stands there.
        "findings_heading": (f"What each {t.rating} rests on" if pack.judged
                             else "Strengths and priorities for further action"),
        "ratings_intro": intro,
        "self_heading": _cap(t.self_evaluation),
        "rollup_intro": (f"The dashboard's roll-up from the year's {t.rating}s of every {t.aspect}, with the "
                         f"{t.aspect} {t.rating}s each rests on (a group is rated once enough of its {t.aspects} "
                         "are):"),
        "nothing_yet": (f"No {t.rating} judged yet." if pack.judged else
                        "Nothing recorded against the criteria yet."),
        "basis_heading": f"{_cap(t.rating)} and basis",
        "no_responses": f"No responses were recorded on this {t.aspect} at this visit.",
        "rests_unit": f"{t.aspect} {t.rating}s",
    }


def judged_basis(pack: Pack, reason: str, answers: int, documents: int) -> str:
    """What a judged level rests on, in a sentence: the adviser's judgement and the evidence recorded for it."""
    parts = []
    if answers:
        parts.append(f"{answers} answer{'s' if answers != 1 else ''} or note{'s' if answers != 1 else ''}")
    if documents:
        parts.append(f"{documents} document{'s' if documents != 1 else ''}")
    seen = " and ".join(parts) or "nothing recorded at this visit"
    return f"{reason.rstrip('.')} ({seen})."


def document_rows(pack: Pack, docs: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Documents as a note lists them: title, the pack's label for their kind, file name and a short hash."""
    out = []
    for d in docs:
        kind = pack.document_kind(d["kind"])
        out.append({"title": d["title"], "kind": kind.label if kind else d["kind"], "filename": d["filename"],
                    "sha256": d["sha256"][:12],
                    "line": f"{d['title']} ({kind.label if kind else d['kind']}; {d['filename']}, "
                            f"SHA-256 {d['sha256'][:12]}…)"})
    return out
