"""Joint (paired) visits with a SIP or NCA to a school, on the form a pack ships (the 2009 pack's Appendix 5).

The form is walked one field at a time, as an interview is: the header, then each section's standards as a
checklist, its grade on the form's scale and the evidence for the grade, then the closing fields (strengths,
areas for development, feedback from the headteacher). Every value is committed the moment it is given, and an
edit is a new entry naming the one it replaces; the half-typed text of one field is a draft in the store.

A joint visit grades a named SIP: information about an individual's performance. It is shown to the adviser
(the form, `laqs joint-visits`, the visits list) and written into the visit's own record for the headteacher and
the LA; nothing here feeds a note of visit, a briefing, a team report or an export.

For the year view, `joint_visit_evidence(store, pack, la, year)` gives each aspect a section names its evidence
rows (date, school, grade read as a column), without the SIP's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import UsageError
from ..packs.forms import (
    FORM_ID,
    Field,
    fields,
    form_of,
    grade_point,
    parse_value,
)

if TYPE_CHECKING:
    from ..packs.model import Form, Pack
    from ..store import Store
    from .base import ServiceCore

SOURCE = "joint visits"  # the year view's name for this source of evidence


# --- the form's views -----------------------------------------------------------------------------------------------


class JointView(NamedTuple):
    """A joint visit as a front end shows it: the visit row (school, la, date, status, sip_name…), the form's
    fields, the values kept now (key -> value), where the walk stands, and the draft (field, text, updated_at)."""

    visit: dict[str, Any]
    fields: tuple[Field, ...]
    values: dict[str, str]
    position: int
    draft: dict[str, Any] | None

    @property
    def current(self) -> Field | None:
        return self.fields[self.position] if 0 <= self.position < len(self.fields) else None

    @property
    def ended(self) -> bool:
        return self.visit["status"] == "ended"


class JointVisits:
    """The joint-visit part of the application service: one joint visit open at a time."""

    def __init__(self, service: "ServiceCore") -> None:
        self.service = service
        self.visit: dict[str, Any] | None = None
        self.pack: "Pack" = service.default_pack
        self.form: "Form | None" = None
        self.fields: list[Field] = []

    @property
    def store(self) -> "Store":
        return self.service.store

    # --- opening ----------------------------------------------------------------------------------------------

    def start(self, *, school: str, la: str | None = None, day: str | None = None, author: str = "",
              sip: str = "", form_id: str = FORM_ID) -> JointView:
        """A new joint visit to `school` (created if new, as a school of `la`); the header's school, LA and date
        (and the SIP's name when given) are filled in from what is known."""
        pack = self.service.default_pack
        form = form_of(pack, form_id)
        if not school or not school.strip():
            raise UsageError("say which school the joint visit is to: --org SCHOOL")
        if day:
            day = parse_value(form, Field("header:date", "date", "date", "header"), day)
        day = day or self.service.day()
        store = self.store
        la_row = None
        if la and la.strip():
            la_row = store.find_la(la) or store.ensure_organisation(la, _kind(pack, "LA"))
        found = store.organisation(school)
        if found is not None and found["kind"] == _kind(pack, "LA"):
            raise UsageError(f"'{found['name']}' is an LA: a joint visit is to a school (--org SCHOOL --la LA)")
        org = found or store.ensure_organisation(school, _kind(pack, "school"), la_row["id"] if la_row else None)
        if la_row is None and org.get("parent_id"):
            la_row = store.organisation_by_id(org["parent_id"])
        known = {"school": org["name"], "local-authority": la_row["name"] if la_row else "", "date": day,
                 "sip-name": " ".join(sip.split())}
        header = {f.id for f in form.header_fields}
        entries = {f"header:{k}": v for k, v in known.items() if v and k in header}
        visit = store.create_joint_visit(school_id=org["id"], la_id=la_row["id"] if la_row else None,
                                         pack_id=pack.id, pack_version=pack.version, form_id=form.id, day=day,
                                         author=author, year_starts=pack.year_starts, entries=entries)
        self._open(visit, pack, form)
        first = next((i for i, f in enumerate(self.fields) if f.key not in entries), 0)
        store.set_joint_position(visit["id"], first)
        return self.view()

    def resume(self, ref: str) -> JointView:
        """Open a joint visit by id, id prefix or 'last'; a paused one is in progress again."""
        visit = self.store.find_joint_visit(ref)
        from ..packs.registry import pack_of_visit

        pack = pack_of_visit(visit, self.service.default_pack, self.service.pack_fixed)
        if visit["status"] == "paused":
            self.store.set_joint_status(visit["id"], "in_progress")
        self._open(self.store.joint_visit(visit["id"]), pack, form_of(pack, visit["form_id"]))
        return self.view()

    def resume_read(self, ref: str) -> JointView:
        """Open a joint visit to read it (or write its record), leaving its status as it is."""
        visit = self.store.find_joint_visit(ref)
        from ..packs.registry import pack_of_visit

        pack = pack_of_visit(visit, self.service.default_pack, self.service.pack_fixed)
        self._open(visit, pack, form_of(pack, visit["form_id"]))
        return self.view()

    def form_scale(self) -> tuple:
        """The grades of the open visit's form (else the default pack's joint-visit form)."""
        return (self.form or form_of(self.service.default_pack)).scale

    def _open(self, visit: dict[str, Any], pack: "Pack", form: "Form") -> None:
        self.visit, self.pack, self.form = visit, pack, form
        self.fields = fields(form)

    def _v(self) -> dict[str, Any]:
        if self.visit is None:
            raise UsageError("no joint visit is open")
        return self.visit

    def view(self) -> JointView:
        v = self._v()
        self.visit = v = self.store.joint_visit(v["id"])
        values = {k: e["value"] for k, e in self.store.joint_entries(v["id"]).items()}
        return JointView(v, tuple(self.fields), values, v["position"], self.store.joint_draft(v["id"]))

    @property
    def ended(self) -> bool:
        # read from the store: another window, or this one's end(), may have ended it since it was opened
        return self.store.joint_visit(self._v()["id"])["status"] == "ended"

    # --- walking the form -------------------------------------------------------------------------------------

    def current(self) -> Field | None:
        pos = self.store.joint_visit(self._v()["id"])["position"]
        return self.fields[pos] if 0 <= pos < len(self.fields) else None

    def position(self) -> int:
        return self.store.joint_visit(self._v()["id"])["position"]

    def field(self, ref: str) -> Field:
        """A field by its key, its number in the walk (1…), or a section's number or id (its first field)."""
        ref = ref.strip()
        for f in self.fields:
            if f.key == ref:
                return f
        if ref.isdigit() and 1 <= int(ref) <= len(self.fields):
            return self.fields[int(ref) - 1]
        for f in self.fields:
            if f.section is not None and (ref == f.section.id or ref == f"s{f.number}" or ref == f.section.aspect):
                return f
        raise UsageError(f"no field '{ref}' on this form: give its number (1–{len(self.fields)}, /show lists "
                         "them) or a section's aspect (2.2) or id")

    def answer(self, text: str) -> tuple[Field, str]:
        """Give the current field a value and move on to the next field with none yet (the header's school, LA
        and date are filled in when the visit starts); the value as kept."""
        f = self.current()
        if f is None:
            raise UsageError("every field has been dealt with: /back or /go N to change one, /end to end the visit")
        value = self.set(f.key, text)
        entries = self.store.joint_entries(self._v()["id"])
        at = self.fields.index(f) + 1
        while at < len(self.fields) and entries.get(self.fields[at].key, {}).get("value"):
            at += 1
        self.store.set_joint_position(self._v()["id"], at)
        return f, value

    def set(self, key: str, text: str) -> str:
        """Give any field a value (the app's form); the draft goes in the same commit."""
        f = self.field(key)
        value = parse_value(self.form, f, text)
        self.store.set_joint_entry(self._v()["id"], f.key, value, year_starts=self.pack.year_starts,
                                   clear_draft=True)
        if f.key == "header:local-authority" and value.strip():
            self._link_la(value)
        return value

    def _link_la(self, name: str) -> None:
        """The header's LA is the one the visit's grades count for: an LA of that name (made if new)."""
        store = self.store
        la = store.find_la(name) or store.ensure_organisation(name, _kind(self.pack, "LA"))
        if la["id"] != self._v().get("la_id"):
            store.set_joint_la(self._v()["id"], la["id"])
            self.visit = store.joint_visit(self._v()["id"])

    def clear(self, key: str | None = None) -> Field:
        """Empty a field (its earlier value is kept in its history)."""
        f = self.field(key) if key else self.current()
        if f is None:
            raise UsageError("no field is current: /go N first")
        self.store.set_joint_entry(self._v()["id"], f.key, "", year_starts=self.pack.year_starts, clear_draft=True)
        return f

    def skip(self) -> None:
        pos = self.position()
        if pos >= len(self.fields):
            raise UsageError("nothing left to skip: /back or /go N to change a field")
        self.store.set_joint_position(self._v()["id"], pos + 1)

    def back(self) -> None:
        pos = self.position()
        if pos <= 0:
            raise UsageError("this is the first field")
        self.store.set_joint_position(self._v()["id"], pos - 1)

    def go(self, ref: str) -> Field:
        f = self.field(ref)
        self.store.set_joint_position(self._v()["id"], self.fields.index(f))
        return f

    def history(self, key: str) -> list[dict[str, Any]]:
        return self.store.joint_history(self._v()["id"], self.field(key).key)

    # --- drafts, pausing, ending ------------------------------------------------------------------------------

    def save_draft(self, text: str, key: str | None = None) -> None:
        f = self.field(key) if key else self.current()
        if f is None:
            return
        self.store.save_joint_draft(self._v()["id"], f.key, text)

    def draft(self) -> dict[str, Any] | None:
        return self.store.joint_draft(self._v()["id"])

    def pause(self) -> bool:
        if self.ended:
            return False
        self.store.set_joint_status(self._v()["id"], "paused")
        return True

    def close(self, pause: bool = True) -> None:
        if self.visit is not None and pause:
            self.pause()
        self.visit = None

    def end(self) -> None:
        self.store.set_joint_status(self._v()["id"], "ended")
        self.visit = self.store.joint_visit(self._v()["id"])

    # --- the Word record --------------------------------------------------------------------------------------

    def record(self, out_path: str | None = None, overwrite: bool = False) -> str:
        """Write the visit's record (.docx): the written summary for the headteacher and the LA."""
        from ..notes.joint import write_joint_record

        return str(write_joint_record(self.store, self.pack, self._v()["id"], out_path, overwrite=overwrite))


def _kind(pack: "Pack", kind: str) -> str:
    found = pack.organisation_kind(kind) if pack.organisation_kinds else None
    return found.id if found else kind


# --- the grades across visits ---------------------------------------------------------------------------------------


def joint_visit_evidence(store: "Store", pack: "Pack", la: str, year: str) -> dict[str, list[dict[str, Any]]]:
    """The grades of the joint visits to an LA's schools in an academic year, as evidence for the aspects the
    form's sections name.

    Returns {aspect id: [row, …]} (aspects with no graded section absent), each list in date order. A row:
      source         "joint visits"
      aspect_id      the aspect the section names (2.2, 1.5, 1.4, 2.4 in the 2009 form)
      phase          None: a joint visit is to a school, not for one phase; it bears on every phase
      date           the visit's date (ISO)
      school         the school visited
      grade          the grade given (1–4 on the 2009 form)
      meaning        the grade's meaning on the form's scale
      column         the grade read as a rating column through the form's scale (OS, G, NI, SI), or None
      section_id, section_title, evidence (the evidence written for the grade), joint_visit_id
    The SIP's name is left out: the rows say what the visits found about the LA's support, not who was graded.
    `la` is an LA's name or id (a school's gives that school's joint visits alone); an unknown one is a
    UsageError. `store.joint_visits_marker(la_id, year)` changes whenever these rows may have."""
    org = store.find_la(la) or store.organisation(la)
    if org is None:
        raise UsageError(f"no LA '{la}' in this store")
    scope = {"la_id": org["id"]} if org["kind"] == _kind(pack, "LA") else {"school_id": org["id"]}
    out: dict[str, list[dict[str, Any]]] = {}
    forms: dict[str, Any] = {}
    for r in store.joint_grades(year=year, **scope):
        form = forms.get(r["joint_visit_id"])
        if form is None:
            form = forms[r["joint_visit_id"]] = _form_for(store, pack, r["joint_visit_id"])
        section = next((s for s in form.sections if s.id == r["section"]), None)
        if section is None or not section.aspect:
            continue
        point = grade_point(form, r["grade"])
        out.setdefault(section.aspect, []).append({
            "source": SOURCE, "aspect_id": section.aspect, "phase": None, "date": r["date"], "school": r["school"],
            "grade": int(r["grade"]), "meaning": point.meaning if point else "",
            "column": point.column if point else None, "section_id": section.id, "section_title": section.title,
            "evidence": r["evidence"] or "", "joint_visit_id": r["joint_visit_id"]})
    for rows in out.values():
        rows.sort(key=lambda x: (x["date"], x["school"].lower()))
    return out


def _form_for(store: "Store", pack: "Pack", joint_id: str) -> "Form":
    visit = store.joint_visit(joint_id)
    if visit["pack_id"] != pack.id:
        from ..packs.registry import pack_of_visit

        pack = pack_of_visit(visit, pack)
    return form_of(pack, visit["form_id"])


def sip_grades(store: "Store", pack: "Pack", sip: str | None = None, year: str | None = None
               ) -> list[dict[str, Any]]:
    """Each SIP's grades per section over a year (every year when None): one entry per SIP and year,
    {sip, year, visits: [{id, date, school, la, status}], sections: [{id, title, aspect, grades: [{date,
    school, grade, meaning}], latest}]}, SIPs by name. Sections no visit graded are left out. A visit with no
    SIP's name yet is listed under ''."""
    form = form_of(pack)
    order = {s.id: i for i, s in enumerate(form.sections)}
    titles = {s.id: s for s in form.sections}
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for r in store.joint_grades(sip=sip, year=year):
        key = (r["sip_name"].lower(), r["academic_year"])
        entry = grouped.setdefault(key, {"sip": r["sip_name"], "year": r["academic_year"], "visits": {},
                                         "sections": {}})
        entry["visits"].setdefault(r["joint_visit_id"], {"id": r["joint_visit_id"], "date": r["date"],
                                                         "school": r["school"], "la": r["la"] or "",
                                                         "status": r["status"]})
        section = titles.get(r["section"])
        point = grade_point(form, r["grade"])
        sec = entry["sections"].setdefault(r["section"], {
            "id": r["section"], "title": section.title if section else r["section"],
            "aspect": section.aspect if section else None, "grades": []})
        sec["grades"].append({"date": r["date"], "school": r["school"], "grade": int(r["grade"]),
                              "meaning": point.meaning if point else ""})
    out = []
    for (_, _), e in sorted(grouped.items()):
        sections = sorted(e["sections"].values(), key=lambda s: order.get(s["id"], 99))
        for s in sections:
            s["grades"].sort(key=lambda g: g["date"])
            s["latest"] = s["grades"][-1]["grade"]
        out.append({"sip": e["sip"], "year": e["year"],
                    "visits": sorted(e["visits"].values(), key=lambda v: v["date"]), "sections": sections})
    return out


def visit_rows(store: "Store", limit: int = 50, organisation_id: str | None = None,
               status: str | None = None) -> list[dict[str, Any]]:
    """Joint visits as the visits list shows them (no grades): kind "joint visit", id, date, status,
    organisation (the school) and organisation_kind, academic_year, la, how many fields are filled in (`filled`),
    updated_at; `organisation_id` a school's or its LA's. The SIP's name is not among them: a list is the least
    place it needs to be."""
    if organisation_id is None:
        found = store.joint_visits(status=status, limit=limit)
    else:
        found = store.joint_visits(school_id=organisation_id, status=status, limit=limit) + \
            store.joint_visits(la_id=organisation_id, status=status, limit=limit)
        found = sorted({v["id"]: v for v in found}.values(), key=lambda v: (v["date"], v["updated_at"]),
                       reverse=True)[:limit]
    out = []
    for v in found:
        entries = store.joint_entries(v["id"])
        filled = sum(1 for e in entries.values() if e["value"])
        out.append({"id": v["id"], "kind": "joint visit", "date": v["date"], "status": v["status"],
                    "organisation": v["school"], "organisation_kind": v["school_kind"],
                    "academic_year": v["academic_year"], "la": v["la"] or "", "filled": filled,
                    "updated_at": v["updated_at"], "form_id": v["form_id"]})
    return out


__all__ = ["FORM_ID", "Field", "JointView", "JointVisits", "SOURCE", "fields", "form_of", "joint_visit_evidence",
           "parse_value", "sip_grades", "visit_rows"]
