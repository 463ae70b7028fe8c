"""Probes: once an aspect's scripted questions are dealt with, questions about what would decide the next column,
added to the running order after the aspect's last item.
"""

from __future__ import annotations

from typing import Any

from ..rating import NA, Rating
from .base import SessionParts
from .order import Item

PROBE_LIMIT = 3


class Probing(SessionParts):
    def _maybe_probe(self, item: Item) -> None:
        """After an aspect's last scripted question, ask about what would decide the next column."""
        if item.kind != "question":
            return
        same = [i for i in self.items() if i.aspect_id == item.aspect_id]
        if any(i.status == "pending" for i in same if i.kind == "question"):
            return
        asked = {t for i in same if i.kind == "probe" for t in i.targets}
        probes: list[dict[str, Any]] = []
        for phase in self.phases:
            if not self.pack.aspects[item.aspect_id].applies_to(phase):
                continue
            r = self.rating(item.aspect_id, phase)
            for target, text in self._probe_targets(r):
                if target in asked or len(probes) >= PROBE_LIMIT:
                    continue
                asked.add(target)
                probes.append({"kind": "probe", "question_id": None, "aspect_id": item.aspect_id, "text": text,
                               "targets": [target]})
        if probes:
            last = max(i.position for i in same)
            self.store.insert_items(self.id, last, probes)
            cur = self.visit["position"]
            if cur > last:
                self.store.set_position(self.id, last + 1)
            self.refresh()

    def _probe_targets(self, r: Rating) -> list[tuple[str, str]]:
        if r.suggestion == NA or r.ceiling is None:
            return []
        pack = self.pack
        sug_rank = pack.column(r.suggestion).rank if r.suggestion else len(pack.columns)
        if pack.column(r.ceiling).rank >= sug_rank:
            return []
        target_col = pack.columns[sug_rank - 1] if r.suggestion else [c for c in pack.columns if c.upper][-1]
        aspect = pack.aspects[r.aspect]
        out: list[tuple[str, str]] = []
        blockers = [b for b in r.blockers if b.column == target_col.id]
        if any(b.kind == "evidence" for b in blockers) or (r.suggestion is None and target_col.evidence):
            need = next(e.label.lower() for e in pack.evidence_levels if e.id == target_col.evidence)
            out.append((f"impact:{aspect.id}", f"What evidence is there of the impact of this work on outcomes for "
                                               f"children and young people? ({target_col.label} needs {need})"))
        crit = aspect.criteria_in(target_col.id, r.phase)
        unknown = [c for c in crit if r.states.get(c.id) == "unknown"]
        for c in sorted(unknown, key=lambda c: not c.critical):
            out.append((c.id, f"What evidence is there that: {' '.join(c.text.split())} ({c.id}"
                              f"{', critical' if c.critical else ''}, decides {target_col.label})"))
        return out
