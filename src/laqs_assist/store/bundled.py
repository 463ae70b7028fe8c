"""What a bundle carries, in one place: each pooled table, which of an adviser's rows go into a bundle, which of its
columns name an organisation (mapped to the team store's on merge), and how a row already in the team store is
brought up to date. Derived data (caches, the search index, drafts) is never bundled: the team store derives its own.

A table added by a later migration joins the bundle with one entry here (after the tables it refers to: rows are
copied in this order, so foreign keys hold).

In the `pick` and `rewrite` SQL, `t` is the adviser's row and these temporary tables hold what the export chose:
`pool_visits` (the finalised visits), `pool_orgs` (their organisations and the LAs above them), `pool_keep` (the
answers that travel), `pool_left_out` (the answers left out as concerning an individual), `pool_range` (the export's
dates, none when visits were named one by one), `pool_private` (the ids of rows an entry's `never` keeps behind)
and `picked_TABLE` for an entry that remembers its rows. A column in
`private` is cleared (to '') unless the team's policy named beside it allows it to travel (individual performance
information), in the bundle and again when a team store whose policy does not allow it merges one.
"""

from __future__ import annotations

from typing import NamedTuple


class Bundled(NamedTuple):
    table: str
    pick: str
    orgs: tuple[str, ...] = ()
    # How the team store treats a row it already has: "keep" (the row cannot change once its visit has ended),
    # "newer" (the row with the later updated_at wins; ties keep the row there), or a custom ON CONFLICT clause.
    on_conflict: str = "keep"
    rewrite: dict[str, str] = {}
    private: dict[str, str] = {}
    merged: bool = True  # False: carried for readers of the bundle; the team store derives it itself
    key: str = "id"
    # Rows that are individual performance information as a whole: policy name → SQL condition over `t`; such rows
    # travel, and are kept by a team store, only where that policy allows.
    private_rows: dict[str, str] = {}
    remember: bool = False  # keep the ids picked in a temporary table picked_TABLE, for the entries after it
    adds_orgs: bool = False  # its organisation columns name organisations the visits do not (bundle them too)
    # Rows that never leave the adviser's store, whatever the policy (a document not marked shared, a review's
    # interview or evidence flagged as concerning an individual): SQL over `t`. Their ids are kept in the temporary
    # table pool_private so that no event about them travels either; a team store refuses them too.
    never: str = ""
    local: tuple[str, ...] = ()  # the file's own counters: each store numbers its rows itself
    # Rows that travelled once and must not stay pooled (a document shared, then made private again): SQL over `t`.
    # A bundle lists their ids in pool_withdrawn; a team store removes them and never takes them back.
    withdraws: str = ""


_IN_VISITS = "t.visit_id IN (SELECT id FROM pool_visits)"

BUNDLED: tuple[Bundled, ...] = (
    # A school on an LA's register is matched by its URN, where the store knows no other key for it.
    Bundled("organisations", "t.id IN (SELECT id FROM pool_orgs)", orgs=("parent_id",), merged=False,
            rewrite={"code": "coalesce(t.code, (SELECT r.urn FROM register_schools r WHERE r.organisation_id = t.id "
                             "AND t.kind = 'school' AND NOT EXISTS (SELECT 1 FROM organisations o WHERE "
                             "o.kind = 'school' AND o.code = r.urn)))"}),
    Bundled("people", "t.id IN (SELECT person_id FROM visit_people WHERE visit_id IN (SELECT id FROM pool_visits))",
            orgs=("organisation_id",),
            rewrite={"organisation_id": "CASE WHEN t.organisation_id IN (SELECT id FROM pool_orgs) "
                                        "THEN t.organisation_id END"}),
    Bundled("visits", "t.id IN (SELECT id FROM pool_visits)", orgs=("organisation_id",), on_conflict="newer"),
    Bundled("visit_people", _IN_VISITS, key="visit_id, person_id"),
    Bundled("visit_items", _IN_VISITS),
    Bundled("responses", "t.id IN (SELECT id FROM pool_keep)", orgs=("organisation_id",),
            on_conflict="DO UPDATE SET concerns_individual = excluded.concerns_individual "
                        "WHERE excluded.concerns_individual > responses.concerns_individual"),
    Bundled("response_versions", "t.response_id IN (SELECT id FROM pool_keep)", merged=False),
    Bundled("judgements", _IN_VISITS, orgs=("organisation_id",),
            on_conflict="DO UPDATE SET response_id = excluded.response_id "
                        "WHERE judgements.response_id IS NULL AND excluded.response_id IS NOT NULL",
            rewrite={"response_id": "CASE WHEN t.response_id IN (SELECT id FROM pool_keep) THEN t.response_id END"}),
    Bundled("actions", _IN_VISITS, orgs=("organisation_id",), on_conflict="newer"),
    Bundled("action_updates", "t.action_id IN (SELECT id FROM actions WHERE visit_id IN (SELECT id FROM pool_visits))",
            orgs=("organisation_id",),
            on_conflict="DO UPDATE SET visit_id = excluded.visit_id "
                        "WHERE action_updates.visit_id IS NULL AND excluded.visit_id IS NOT NULL",
            rewrite={"visit_id": "CASE WHEN t.visit_id IN (SELECT id FROM pool_visits) THEN t.visit_id END"}),
    Bundled("ratings", _IN_VISITS, orgs=("organisation_id",), on_conflict="newer"),
    Bundled("rating_decisions", _IN_VISITS, orgs=("organisation_id",)),
    # A joint visit grades a named SIP: its grades and evidence travel, the SIP's name only where the policy says.
    # Joint visits travel with an export by dates (or of every visit), not with visits named one by one.
    Bundled("joint_visits", "t.status = 'ended' AND t.date BETWEEN (SELECT date_from FROM pool_range) AND "
            "(SELECT date_to FROM pool_range)", orgs=("school_id", "la_id"), on_conflict="newer",
            private={"sip_name": "share_sip_names"}, remember=True, adds_orgs=True),
    Bundled("joint_visit_entries", "t.joint_visit_id IN (SELECT id FROM picked_joint_visits)",
            private_rows={"share_sip_names": "t.field = 'header:sip-name'"}),
    # Documents kept as evidence travel with their visit only when the adviser marked them shared; a private one
    # (its bytes, title and hash alike) never leaves the store. One shared and then made private again is withdrawn
    # from a team store by the next bundle of its visit (by its id alone).
    Bundled("documents", _IN_VISITS, orgs=("organisation_id",), never="t.shared != 1",
            withdraws="t.shared != 1 AND EXISTS (SELECT 1 FROM events e WHERE e.kind = 'document.share' AND "
                      "e.entity = t.id)"),
    # A school review is a visit (status 'review') that travels once its days are over (store/bundle.py): the
    # review, the school's standards in every version, the collations, the evidence and findings, the report's words
    # and the rich priorities. The day plan is the team's working timetable, rewritten whole when the team changes,
    # and stays with the adviser. Interviews and evidence flagged as concerning an individual never travel; a
    # standard given by a flagged interview travels without naming it.
    Bundled("reviews", _IN_VISITS, on_conflict="newer", key="visit_id"),
    Bundled("review_interviews", _IN_VISITS, never="t.concerns_individual != 0"),
    Bundled("review_standards", _IN_VISITS,
            rewrite={"interview_id": "CASE WHEN t.interview_id IN (SELECT id FROM review_interviews WHERE "
                                     "concerns_individual = 0) THEN t.interview_id END"}),
    Bundled("review_collations", _IN_VISITS),
    # Evidence joins a collation after it was recorded: the collation it joined is kept, once known.
    Bundled("review_evidence", _IN_VISITS, never="t.concerns_individual != 0",
            on_conflict="DO UPDATE SET collation_id = excluded.collation_id "
                        "WHERE review_evidence.collation_id IS NULL AND excluded.collation_id IS NOT NULL"),
    Bundled("review_findings", _IN_VISITS),
    Bundled("review_notes", _IN_VISITS),
    Bundled("review_priorities", _IN_VISITS, key="action_id"),
    # The school register of each LA the visits are in (or whose schools they are): the LA's register pack, its
    # schools (keyed by URN, unique to a school in England, so every adviser's register names a school alike) and
    # the entries recorded on or before the export's last day. Entries are append-only and keyed by their ids; an
    # entry flagged as concerning an individual (an escalation about a headteacher's performance) never travels.
    # An LA kept by two advisers' registers keeps the register pack chosen first (whichever bundle comes first).
    Bundled("register_las", "t.la_id IN (SELECT id FROM pool_orgs)", orgs=("la_id",), key="la_id",
            on_conflict="DO UPDATE SET pack_id = excluded.pack_id, created_at = excluded.created_at WHERE "
                        "(excluded.created_at, excluded.pack_id) < (register_las.created_at, register_las.pack_id)"),
    Bundled("register_schools", "t.la_id IN (SELECT id FROM pool_orgs)", orgs=("la_id", "organisation_id"),
            on_conflict="newer", adds_orgs=True, rewrite={"id": "pool_register_id(t.urn, t.id)"}),
    Bundled("register_entries", "t.la_id IN (SELECT id FROM pool_orgs) AND t.on_date <= "
            "coalesce((SELECT date_to FROM pool_range), '9999-12-31')", orgs=("la_id",),
            never="t.concerns_individual != 0", local=("seq",),
            rewrite={"school_id": "(SELECT pool_register_id(s.urn, s.id) FROM register_schools s "
                                  "WHERE s.id = t.school_id)"}),
    Bundled("events", _IN_VISITS + " AND (t.entity IS NULL OR (t.entity NOT IN (SELECT id FROM pool_left_out) "
            "AND t.entity NOT IN (SELECT id FROM pool_private)))",
            rewrite={"payload": "pool_payload(t.kind, t.payload)", "seq": "NULL"}),
)

# Tables the pooling itself keeps (store/schema.py 0011_pooling); a bundle carries the first three.
POOL_TABLES = ("pool_versions", "pool_withdrawn", "pool_bundles", "pool_sources", "pool_policy", "pool_resolutions",
               "organisation_aliases")

# What the team may agree to pool beyond the default, in pool_policy (name → what it allows).
POLICIES = {
    "share_flagged": "answers flagged as concerning an individual travel in bundles and are kept in the team store "
                     "(they are still never shown on a shared page or in a shared document)",
    "share_sip_names": "the name of the SIP a joint visit graded travels with its form",
}

# Keys of an event's payload that repeat an answer's words: the answer travels (or not) on its own, so an event
# never carries them.
ANSWER_KEYS = frozenset({"text", "old", "new"})
# Keys of a document's events that would name its file (its hash): the document's row carries them while it is
# shared, and goes from a team store when it is made private again; an event, which stays, never carries them.
DOCUMENT_KEYS = frozenset({"sha256"})


def organisation_columns() -> list[tuple[str, str]]:
    """(table, column) for every column that names an organisation, for folding one organisation into another."""
    out = [(b.table, c) for b in BUNDLED for c in b.orgs]
    return out + [("pool_sources", "organisation_id")]


def by_table(name: str) -> Bundled:
    for b in BUNDLED:
        if b.table == name:
            return b
    raise KeyError(name)
