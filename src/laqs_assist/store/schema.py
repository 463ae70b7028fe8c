"""The store's schema as ordered migrations. Never edit a released migration: add the next one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database, Migrations

from .values import dump, new_id, now
from .versions import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    db["organisations"].create({
        "id": str, "name": str, "kind": str, "parent_id": str, "created_at": str,
    }, pk="id", not_null={"name", "kind", "created_at"})
    db.execute("CREATE UNIQUE INDEX idx_organisations_kind_name ON organisations(kind, name COLLATE NOCASE)")

    db["people"].create({
        "id": str, "name": str, "role": str, "organisation_id": str, "created_at": str,
    }, pk="id", not_null={"name", "created_at"}, foreign_keys=[("organisation_id", "organisations", "id")])

    db["visits"].create({
        "id": str, "organisation_id": str, "pack_id": str, "agenda_id": str, "phases": str, "focus": str,
        "date": str, "academic_year": str, "author": str, "purpose": str, "status": str, "position": int,
        "created_at": str, "updated_at": str, "ended_at": str,
    }, pk="id", not_null={"organisation_id", "pack_id", "agenda_id", "phases", "date", "academic_year", "status",
                          "position", "created_at", "updated_at"},
        foreign_keys=[("organisation_id", "organisations", "id")])
    db["visits"].create_index(["organisation_id", "academic_year"])
    db["visits"].create_index(["status"])
    db["visits"].create_index(["date"])
    db["visits"].create_index(["updated_at"])

    db["visit_people"].create({
        "visit_id": str, "person_id": str, "role": str,
    }, pk=("visit_id", "person_id"), foreign_keys=[("visit_id", "visits", "id"), ("person_id", "people", "id")])

    # The visit's running order: agenda questions (focus first, then least covered) and probes added on the way.
    db["visit_items"].create({
        "id": str, "visit_id": str, "position": int, "kind": str, "question_id": str, "aspect_id": str,
        "text": str, "targets": str, "status": str, "response_id": str, "created_at": str,
    }, pk="id", not_null={"visit_id", "position", "kind", "aspect_id", "status", "created_at"},
        foreign_keys=[("visit_id", "visits", "id")])
    db["visit_items"].create_index(["visit_id", "position"], unique=True)

    db["responses"].create({
        "id": str, "visit_id": str, "organisation_id": str, "item_id": str, "question_id": str,
        "aspect_id": str, "academic_year": str, "text": str, "value": str, "concerns_individual": int,
        "created_at": str, "updated_at": str,
    }, pk="id", not_null={"visit_id", "organisation_id", "aspect_id", "academic_year", "text", "concerns_individual",
                          "created_at", "updated_at"},
        foreign_keys=[("visit_id", "visits", "id"), ("organisation_id", "organisations", "id")])
    db["responses"].create_index(["visit_id", "created_at"])
    db["responses"].create_index(["organisation_id", "academic_year", "aspect_id"])
    # Full-text search over answers. No stemming: every word is matched as a prefix instead, which finds "moderat"
    # in "moderation" as a person expects (a stemmer would index "moder" and miss it). Prefix indexes keep short
    # prefixes of common words from merging thousands of terms at query time.
    db.execute("CREATE VIRTUAL TABLE responses_fts USING fts5(text, content='responses', content_rowid='rowid', "
               "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')")
    db.execute("CREATE TRIGGER responses_fts_ai AFTER INSERT ON responses BEGIN "
               "INSERT INTO responses_fts(rowid, text) VALUES (new.rowid, new.text); END")
    db.execute("CREATE TRIGGER responses_fts_ad AFTER DELETE ON responses BEGIN "
               "INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END")
    db.execute("CREATE TRIGGER responses_fts_au AFTER UPDATE OF text ON responses BEGIN "
               "INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
               "INSERT INTO responses_fts(rowid, text) VALUES (new.rowid, new.text); END")

    # Earlier wordings of an edited answer.
    db["response_versions"].create({
        "id": str, "response_id": str, "text": str, "replaced_at": str,
    }, pk="id", foreign_keys=[("response_id", "responses", "id")])
    db["response_versions"].create_index(["response_id"])

    # Append-only: the latest row per (organisation, year, phase, target) is the current judgement.
    db["judgements"].create({
        "id": str, "visit_id": str, "organisation_id": str, "academic_year": str, "phase": str,
        "aspect_id": str, "target": str, "kind": str, "state": str, "value": float, "response_id": str,
        "created_at": str, "seq": int,
    }, pk="id", not_null={"visit_id", "organisation_id", "academic_year", "phase", "aspect_id", "target", "kind",
                          "created_at", "seq"},
        foreign_keys=[("visit_id", "visits", "id"), ("response_id", "responses", "id")])
    db["judgements"].create_index(["organisation_id", "academic_year", "aspect_id", "phase", "seq"])
    db["judgements"].create_index(["visit_id"])
    db["judgements"].create_index(["seq"], unique=True)

    db["actions"].create({
        "id": str, "visit_id": str, "organisation_id": str, "aspect_id": str, "text": str, "owner": str,
        "due_date": str, "status": str, "created_at": str, "updated_at": str,
    }, pk="id", not_null={"visit_id", "organisation_id", "text", "status", "created_at", "updated_at"},
        foreign_keys=[("visit_id", "visits", "id"), ("organisation_id", "organisations", "id")])
    db["actions"].create_index(["organisation_id", "status"])
    db["actions"].create_index(["visit_id"])

    # One row per visit, phase and aspect: the suggestion as last computed, and what the adviser did with it.
    db["ratings"].create({
        "id": str, "visit_id": str, "organisation_id": str, "academic_year": str, "phase": str, "aspect_id": str,
        "suggestion": str, "ceiling": str, "reason": str, "override": str, "override_reason": str,
        "self_evaluation": str, "accepted": int, "updated_at": str,
    }, pk="id", not_null={"visit_id", "organisation_id", "academic_year", "phase", "aspect_id", "updated_at"},
        foreign_keys=[("visit_id", "visits", "id")])
    db["ratings"].create_index(["visit_id", "phase", "aspect_id"], unique=True)
    db["ratings"].create_index(["organisation_id", "academic_year"])

    db["events"].create({
        "seq": int, "id": str, "at": str, "visit_id": str, "kind": str, "entity": str, "payload": str,
    }, pk="seq", not_null={"id", "at", "kind"})
    db["events"].create_index(["visit_id", "seq"])
    db.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
               "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END")
    db.execute("CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
               "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END")


@migrations(name="0002_search_batches")
def search_batches(db: Database) -> None:
    """Answers go into the full-text index in batches rather than one by one.

    Each commit to an FTS5 index writes a new segment (about nine pages here, with the prefix indexes), which
    made indexing most of the cost of recording an answer. Now an answer's commit holds the answer alone, and
    `Store.index_pending` adds every answer past `search_state.indexed_to` in one go: before every search, when a
    visit starts, pauses or ends, and whenever a batch has built up. Edits and deletions of answers already in the
    index keep it in step at once; later ones are indexed with their current text when their batch goes in.
    """
    db.execute("CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_to INTEGER NOT NULL)")
    db.execute("INSERT INTO search_state (id, indexed_to) SELECT 1, coalesce(max(rowid), 0) FROM responses")
    for name in ("responses_fts_ai", "responses_fts_ad", "responses_fts_au"):
        db.execute(f"DROP TRIGGER {name}")
    indexed = "(SELECT indexed_to FROM search_state WHERE id = 1)"
    # A new row can only fall inside the indexed range if rows at the top were deleted and their rowids reused.
    db.execute(f"CREATE TRIGGER responses_fts_ai AFTER INSERT ON responses WHEN new.rowid <= {indexed} BEGIN "
               "INSERT INTO responses_fts(rowid, text) VALUES (new.rowid, new.text); END")
    db.execute(f"CREATE TRIGGER responses_fts_ad AFTER DELETE ON responses WHEN old.rowid <= {indexed} BEGIN "
               "INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END")
    db.execute(f"CREATE TRIGGER responses_fts_au AFTER UPDATE OF text ON responses WHEN old.rowid <= {indexed} "
               "BEGIN INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.rowid, old.text); "
               "INSERT INTO responses_fts(rowid, text) VALUES (new.rowid, new.text); END")


@migrations(name="0003_drafts")
def drafts(db: Database) -> None:
    """The answer box's unsent text, one per visit, so that a kill, a quit or a crash never loses what was typed.
    A draft goes when its answer is sent (in the same commit) or the adviser discards it."""
    db.execute("CREATE TABLE drafts (visit_id TEXT PRIMARY KEY REFERENCES visits(id), item_id TEXT, "
               "text TEXT NOT NULL, updated_at TEXT NOT NULL)")


@migrations(name="0004_judgements_by_time")
def judgements_by_time(db: Database) -> None:
    """Which judgement is latest is decided by when it was made and its id, (created_at, id), not by the
    store-wide `seq` counter: both travel with a row, so two advisers' stores can be pooled, where one file's
    counter means nothing in another.

    Until now `seq` decided. Where a store's own rows disagree (the clock was set back between two judgements of
    the same target, or two fell in one microsecond), the later row by `seq` is restamped one microsecond after
    the one it replaced, so the same judgements win after this migration as before it; each restamp is in the
    event log. `seq` stays, written in the order rows are added to the file, for readers that sort by it, but
    loses its unique index (pooled rows bring their own numbers). idx_judgements_latest serves the latest
    judgement per target for an organisation, year, aspect and phase; idx_judgements_scope holds each of that
    scope's rows in the order they were added to this file, so the newest is one step away: the session's rating
    cache asks only whether anything was added since it rated.
    """
    key = "organisation_id, academic_year, aspect_id, phase, target, kind"
    db.execute("DROP INDEX IF EXISTS idx_judgements_seq")
    db.execute("DROP INDEX IF EXISTS idx_judgements_organisation_id_academic_year_aspect_id_phase_seq")
    db.execute(f"CREATE INDEX idx_judgements_latest ON judgements ({key}, created_at, id)")
    db.execute("CREATE INDEX idx_judgements_scope ON judgements (organisation_id, academic_year, aspect_id, phase)")
    disagreeing = db.execute(
        f"SELECT DISTINCT {key} FROM (SELECT {key}, created_at, id, lag(created_at) OVER w AS prev_at, "
        f"lag(id) OVER w AS prev_id FROM judgements WINDOW w AS (PARTITION BY {key} ORDER BY seq)) "
        "WHERE created_at < prev_at OR (created_at = prev_at AND id < prev_id)").fetchall()
    stamp = now()
    for target in disagreeing:
        rows = db.execute("SELECT id, visit_id, created_at FROM judgements WHERE organisation_id = ? AND "
                          "academic_year = ? AND aspect_id = ? AND phase = ? AND target = ? AND kind = ? "
                          "ORDER BY seq", target).fetchall()
        last: tuple[str, str] | None = None  # the previous row's (created_at, id) in seq order, as restamped
        for jid, visit_id, at in rows:
            if last is not None and (at, jid) <= last:
                later = _microsecond_after(last[0])
                if later is None:
                    continue  # not a stamp this program wrote: left as it is
                db.execute("UPDATE judgements SET created_at = ? WHERE id = ?", [later, jid])
                db.execute("INSERT INTO events (id, at, visit_id, kind, entity, payload) VALUES (?, ?, ?, ?, ?, ?)",
                           [new_id(), stamp, visit_id, "judgement.restamp", jid,
                            dump({"from": at, "to": later, "why": "kept the latest by seq the latest by time"})])
                at = later
            last = (at, jid)


@migrations(name="0005_visit_pack_version")
def visit_pack_version(db: Database) -> None:
    """A visit keeps the version of the pack it was recorded with (pack.yaml's `version:`), beside its id, so a
    pooled or later reading knows which edition of a framework the judgements were made against. Visits recorded
    before this carry an empty version."""
    db.execute("ALTER TABLE visits ADD COLUMN pack_version TEXT NOT NULL DEFAULT ''")


@migrations(name="0006_rating_decisions")
def rating_decisions(db: Database) -> None:
    """The adviser's decisions on a rating, appended, never changed: an override (the column and the reason) or an
    agreement with the suggestion, each with when it was made and what the criteria said at that moment.

    The ratings table says what a visit's review holds now; it cannot say when the adviser decided (its
    `updated_at` moves whenever the visit ends or the LA's view is recorded), nor which column an acceptance
    agreed to (its `suggestion` is rewritten by the snapshot at the end). The year's rating needs both: a
    decision stands until evidence for its aspect and phase is recorded after it. Rows carry their own ids and
    stamps, so they pool like judgements.

    Decisions recorded before this are taken from the ratings rows: an override, or an acceptance of the
    suggestion the row holds, decided when the row was last changed (the best the release kept).
    """
    db["rating_decisions"].create({
        "id": str, "visit_id": str, "organisation_id": str, "academic_year": str, "phase": str, "aspect_id": str,
        "kind": str, "column_id": str, "reason": str, "suggestion": str, "ceiling": str, "decided_at": str,
    }, pk="id", not_null={"visit_id", "organisation_id", "academic_year", "phase", "aspect_id", "kind",
                          "column_id", "decided_at"},
        foreign_keys=[("visit_id", "visits", "id")])
    db.execute("CREATE INDEX idx_rating_decisions_year ON rating_decisions "
               "(organisation_id, academic_year, aspect_id, phase, decided_at, id)")
    db.execute("CREATE INDEX idx_rating_decisions_visit ON rating_decisions (visit_id)")
    rows = db.execute("SELECT visit_id, organisation_id, academic_year, phase, aspect_id, override, "
                      "override_reason, suggestion, ceiling, updated_at FROM ratings WHERE override IS NOT NULL "
                      "OR (accepted = 1 AND suggestion IS NOT NULL)").fetchall()
    for vid, org, year, phase, aspect, override, why, suggestion, ceiling, at in rows:
        db.execute("INSERT INTO rating_decisions (id, visit_id, organisation_id, academic_year, phase, aspect_id, "
                   "kind, column_id, reason, suggestion, ceiling, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?)", [new_id(), vid, org, year, phase, aspect, "override" if override else "agreed",
                                override or suggestion, why if override else None, suggestion, ceiling, at])


@migrations(name="0007_action_updates")
def action_updates(db: Database) -> None:
    """What became of an agreed action, appended, never changed: marked done, dropped, carried forward (with a new
    due date or none) or opened again, each with the day it happened, a note, the visit it was marked at (an
    earlier visit's action is marked at a later one) and when it was recorded. An action's status is its latest
    update by (created_at, id), else open; its due date is the latest update's that set one, else the date
    agreed. Rows carry their own ids and stamps, so they pool like judgements.

    Actions marked before this (the actions table's `status`, done or dropped) get one update each, made when the
    row was last changed, on that day."""
    db["action_updates"].create({
        "id": str, "action_id": str, "organisation_id": str, "visit_id": str, "status": str, "on_date": str,
        "note": str, "due_date": str, "created_at": str,
    }, pk="id", not_null={"action_id", "organisation_id", "status", "on_date", "note", "created_at"},
        foreign_keys=[("action_id", "actions", "id"), ("visit_id", "visits", "id")])
    db.execute("CREATE INDEX idx_action_updates_action ON action_updates (action_id, created_at, id)")
    db.execute("CREATE INDEX idx_action_updates_organisation ON action_updates (organisation_id)")
    rows = db.execute("SELECT id, organisation_id, status, updated_at FROM actions "
                      "WHERE status IN ('done', 'dropped')").fetchall()
    for aid, org, status, at in rows:
        db.execute("INSERT INTO action_updates (id, action_id, organisation_id, visit_id, status, on_date, note, "
                   "due_date, created_at) VALUES (?, ?, ?, NULL, ?, ?, '', NULL, ?)",
                   [new_id(), aid, org, status, at[:10], at])


@migrations(name="0008_visit_summary")
def visit_summary(db: Database) -> None:
    """A visit keeps the adviser's own summary of it (the key findings per aspect discussed and overall), which
    the note of visit gives instead of the draft it builds from the record. Empty until written."""
    db.execute("ALTER TABLE visits ADD COLUMN summary TEXT NOT NULL DEFAULT ''")


@migrations(name="0009_joint_visits")
def joint_visits(db: Database) -> None:
    """Joint (paired) visits with a SIP or NCA to a school, filled in on a form a pack ships (the 2009 pack's
    Appendix 5): the header, each section's standards as a checklist, a grade with its evidence, and the closing
    fields. A joint visit grades a named SIP, so it lives in tables of its own, which no note, briefing, report
    or export reads.

    `joint_visits` holds what lists and finds a visit (its school, the school's LA, the day, the year, the SIP
    named in the header, where the form stands); `joint_visit_entries` holds every value ever given to a field,
    appended, never changed: the latest by (created_at, id) is the field's value and each later entry names the
    one it replaces. `joint_visit_drafts` keeps the one field's half-typed text, so a kill loses nothing."""
    db["joint_visits"].create({
        "id": str, "school_id": str, "la_id": str, "pack_id": str, "pack_version": str, "form_id": str,
        "date": str, "academic_year": str, "sip_name": str, "author": str, "status": str, "position": int,
        "created_at": str, "updated_at": str, "ended_at": str,
    }, pk="id", not_null={"school_id", "pack_id", "pack_version", "form_id", "date", "academic_year", "sip_name",
                          "author", "status", "position", "created_at", "updated_at"},
        foreign_keys=[("school_id", "organisations", "id"), ("la_id", "organisations", "id")])
    db.execute("CREATE INDEX idx_joint_visits_la_year ON joint_visits (la_id, academic_year, date)")
    db.execute("CREATE INDEX idx_joint_visits_school ON joint_visits (school_id, date)")
    db.execute("CREATE INDEX idx_joint_visits_sip ON joint_visits (sip_name COLLATE NOCASE, academic_year)")
    db.execute("CREATE INDEX idx_joint_visits_updated ON joint_visits (updated_at)")
    db["joint_visit_entries"].create({
        "id": str, "joint_visit_id": str, "field": str, "value": str, "replaces": str, "created_at": str,
    }, pk="id", not_null={"joint_visit_id", "field", "value", "created_at"},
        foreign_keys=[("joint_visit_id", "joint_visits", "id")])
    db.execute("CREATE INDEX idx_joint_visit_entries_field ON joint_visit_entries "
               "(joint_visit_id, field, created_at, id)")
    for event in ("UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER joint_visit_entries_no_{event.lower()} BEFORE {event} ON joint_visit_entries "
                   "BEGIN SELECT RAISE(ABORT, 'a joint visit keeps every value: add an entry instead'); END")
    db.execute("CREATE TABLE joint_visit_drafts (joint_visit_id TEXT PRIMARY KEY REFERENCES joint_visits(id), "
               "field TEXT NOT NULL, text TEXT NOT NULL, updated_at TEXT NOT NULL)")


@migrations(name="0010_rating_cache")
def rating_cache(db: Database) -> None:
    """The year view's ratings kept per organisation, year and phase, so a dashboard or the regional overview
    reads them instead of rating every aspect again.

    A row holds one phase's cells (the rating held, the suggestion, the ceiling, how it stands, the evidence
    counted by source, whether the sources disagree) as JSON, with the pack edition it was rated against
    (`basis`) and a marker of the evidence sources that live outside these tables (`sources`); `summary` holds
    what the regional overview reads (the ratings, how many cells the sources disagree on, the schools heard),
    so reading 150 LAs does not decode every cell. Triggers delete
    a row whenever evidence it rests on arrives: a judgement or a rating decision for the organisation (or one
    of its schools) in that year and phase, an answer for it in that year (any phase), or a school moving to
    another LA. They fire for every writer, this program, another process or rows pooled from elsewhere, so a
    row that is there is current. Nothing else reads this table: deleting every row is always safe."""
    db.execute("CREATE TABLE rating_cache (organisation_id TEXT NOT NULL, academic_year TEXT NOT NULL, "
               "phase TEXT NOT NULL, basis TEXT NOT NULL, sources TEXT NOT NULL, cells TEXT NOT NULL, "
               "summary TEXT NOT NULL, built_at TEXT NOT NULL, "
               "PRIMARY KEY (organisation_id, academic_year, phase)) WITHOUT ROWID")
    # The organisation itself and, for a school, its LA: a headteacher's voice is evidence for the LA.
    def scope(row: str) -> str:
        return (f"organisation_id IN ({row}.organisation_id, "
                f"(SELECT parent_id FROM organisations WHERE id = {row}.organisation_id)) "
                f"AND academic_year = {row}.academic_year")

    for table in ("judgements", "rating_decisions"):
        for event, row in (("INSERT", "new"), ("DELETE", "old")):
            db.execute(f"CREATE TRIGGER rating_cache_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
                       f"DELETE FROM rating_cache WHERE {scope(row)} AND phase = {row}.phase; END")
    for event, row in (("INSERT", "new"), ("DELETE", "old")):
        db.execute(f"CREATE TRIGGER rating_cache_responses_{event.lower()} AFTER {event} ON responses BEGIN "
                   f"DELETE FROM rating_cache WHERE {scope(row)}; END")
    db.execute("CREATE TRIGGER rating_cache_responses_flag AFTER UPDATE OF concerns_individual, aspect_id "
               "ON responses BEGIN DELETE FROM rating_cache WHERE " + scope("new") + "; END")
    # The LA's own self-evaluation, kept on its visit's rating rows, shows beside the adviser's rating.
    for event, row in (("INSERT", "new"), ("UPDATE OF self_evaluation", "new"), ("DELETE", "old")):
        name = event.split()[0].lower()
        db.execute(f"CREATE TRIGGER rating_cache_ratings_{name} AFTER {event} ON ratings BEGIN "
                   f"DELETE FROM rating_cache WHERE organisation_id = {row}.organisation_id AND "
                   f"academic_year = {row}.academic_year AND phase = {row}.phase; END")
    db.execute("CREATE TRIGGER rating_cache_parent AFTER UPDATE OF parent_id ON organisations BEGIN "
               "DELETE FROM rating_cache WHERE organisation_id IN (old.parent_id, new.parent_id, new.id); END")


@migrations(name="0011_pooling")
def pooling(db: Database) -> None:
    """Pooling advisers' stores into a team store (store/pooling.py). Every store gets these tables; an adviser's
    own store uses only the organisations' stable key.

    - organisations.code: the stable key an organisation is matched by across stores, the LA code or the school's
      URN, where known; organisation_aliases: the other names it is known by in pooled stores.
    - pool_versions: every wording of a pooled answer, each naming the version it replaced (ids made from the
      answer's id and when the wording began, so a store exported twice names its versions alike); a team store
      keeps the words of an answer's only version in responses alone.
    - pool_sources: which organisation of the team store each adviser's organisation (by its own id) became.
    - pool_bundles: the bundles merged; pool_withdrawn: answers flagged since they were pooled (never brought back
      by an older bundle); pool_policy: what the team agrees may be pooled; pool_resolutions: conflicts settled.
    - shared_answers: the answers a shared reader may see (none flagged), for browsing the store read-only.
    """
    db.execute("ALTER TABLE organisations ADD COLUMN code TEXT")
    db.execute("CREATE UNIQUE INDEX idx_organisations_kind_code ON organisations (kind, code) WHERE code IS NOT NULL")
    db.execute("CREATE TABLE organisation_aliases (organisation_id TEXT NOT NULL REFERENCES organisations(id), "
               "name TEXT NOT NULL, PRIMARY KEY (organisation_id, name))")
    # Keyed by answer first (an answer's versions are read together), without a rowid: no index beside the rows.
    # In a team store an answer's only wording is its text in responses and is not kept twice (text is NULL).
    db.execute("CREATE TABLE pool_versions (response_id TEXT NOT NULL, id TEXT NOT NULL, replaces TEXT, text TEXT, "
               "value TEXT, started_at TEXT NOT NULL, PRIMARY KEY (response_id, id)) WITHOUT ROWID")
    db.execute("CREATE TABLE pool_sources (source_id TEXT PRIMARY KEY, organisation_id TEXT NOT NULL "
               "REFERENCES organisations(id), kind TEXT NOT NULL, name TEXT NOT NULL, code TEXT, "
               "parent_source_id TEXT, created_at TEXT NOT NULL)")
    db.execute("CREATE INDEX idx_pool_sources_organisation ON pool_sources (organisation_id)")
    db.execute("CREATE TABLE pool_bundles (id TEXT PRIMARY KEY, author TEXT NOT NULL, exported_at TEXT NOT NULL, "
               "visits INTEGER NOT NULL, answers INTEGER NOT NULL, flagged_shared INTEGER NOT NULL)")
    db.execute("CREATE TABLE pool_withdrawn (response_id TEXT PRIMARY KEY)")
    db.execute("CREATE TABLE pool_policy (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE pool_resolutions (response_id TEXT PRIMARY KEY, version_id TEXT NOT NULL, "
               "versions_seen INTEGER NOT NULL, resolved_at TEXT NOT NULL, note TEXT NOT NULL DEFAULT '')")
    db.execute("CREATE VIEW shared_answers AS SELECT r.rowid AS answer_rowid, r.id, o.name AS organisation, "
               "o.kind AS organisation_kind, v.date, r.academic_year, r.aspect_id, r.question_id, r.text, r.value, "
               "v.author, r.visit_id FROM responses r JOIN visits v ON v.id = r.visit_id "
               "JOIN organisations o ON o.id = r.organisation_id WHERE r.concerns_individual = 0")


@migrations(name="0012_register")
def register(db: Database) -> None:
    """The school register: an LA's schools with the register pack it keeps them by, and every change to a
    school's level, stage of concern, escalation step, strands, visits, reports, support days and reviews as an
    append-only entry (the register's audit trail: the current state is the latest entry of each kind)."""
    db["register_las"].create({
        "la_id": str, "pack_id": str, "created_at": str,
    }, pk="la_id", not_null={"pack_id", "created_at"}, foreign_keys=[("la_id", "organisations", "id")])
    db["register_schools"].create({
        "id": str, "la_id": str, "organisation_id": str, "name": str, "urn": str, "phase": str, "kind": str,
        "head_start": str, "created_at": str, "updated_at": str,
    }, pk="id", not_null={"la_id", "organisation_id", "name", "urn", "phase", "kind", "created_at", "updated_at"},
        foreign_keys=[("la_id", "organisations", "id"), ("organisation_id", "organisations", "id")])
    db.execute("CREATE UNIQUE INDEX idx_register_schools_urn ON register_schools(la_id, urn)")
    db.execute("CREATE UNIQUE INDEX idx_register_schools_org ON register_schools(organisation_id)")
    db.execute("""CREATE TABLE register_entries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        la_id TEXT NOT NULL REFERENCES organisations(id),
        school_id TEXT REFERENCES register_schools(id),
        kind TEXT NOT NULL,
        value TEXT NOT NULL DEFAULT '',
        days REAL,
        on_date TEXT NOT NULL,
        academic_year TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '[]',
        by_whom TEXT NOT NULL DEFAULT '',
        rule TEXT NOT NULL DEFAULT '',
        concerns_individual INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL)""")
    # A school's latest entry of a kind as of a day is one seek; an LA's entries of a kind in a year one range.
    db.execute("CREATE INDEX idx_register_entries_school ON register_entries(school_id, kind, on_date, seq)")
    db.execute("CREATE INDEX idx_register_entries_la ON register_entries(la_id, kind, academic_year, school_id)")
    db.execute("CREATE TRIGGER register_entries_no_update BEFORE UPDATE ON register_entries "
               "BEGIN SELECT RAISE(ABORT, 'the register keeps its history: entries are never changed'); END")
    db.execute("CREATE TRIGGER register_entries_no_delete BEFORE DELETE ON register_entries "
               "BEGIN SELECT RAISE(ABORT, 'the register keeps its history: entries are never deleted'); END")


@migrations(name="0013_documents")
def documents(db: Database) -> None:
    """Documents kept as evidence for an aspect (a G&T dimension's mini case study, exemplar policy, LA plan …): the
    file's bytes in the store with their SHA-256, so the evidence stays with the visit and a changed file is a new
    document, never a silent replacement. `kind` is one of the kinds the pack declares (its resource base).

    A document is the organisation's, not the tool's: it stays out of every bundle, note and shared output unless
    the adviser marks it shared (`shared` = 1); `shared_at` says when. Pooling reads `shared` to decide. Rows carry
    their own ids and stamps, so they pool like judgements; the same file attached twice to one aspect of one visit
    is one document (the unique index on visit, aspect and hash)."""
    db["documents"].create({
        "id": str, "visit_id": str, "organisation_id": str, "academic_year": str, "aspect_id": str, "kind": str,
        "title": str, "filename": str, "media_type": str, "size": int, "sha256": str, "content": bytes,
        "shared": int, "shared_at": str, "created_at": str,
    }, pk="id", not_null={"visit_id", "organisation_id", "academic_year", "aspect_id", "kind", "title", "filename",
                          "size", "sha256", "content", "shared", "created_at"},
        foreign_keys=[("visit_id", "visits", "id"), ("organisation_id", "organisations", "id")])
    db.execute("CREATE UNIQUE INDEX idx_documents_visit_aspect_hash ON documents (visit_id, aspect_id, sha256)")
    db.execute("CREATE INDEX idx_documents_year ON documents (organisation_id, academic_year, aspect_id)")


@migrations(name="0014_reviews")
def reviews(db: Database) -> None:
    """School reviews (a review pack such as the Leadership and Learning Quality Review): a review is a visit of
    several days by a team, with a row in `reviews` for what only a review has: the team, the days, the stages
    chosen, the stage 1 discussion and the focus it agreed, and the version of the framework made for the school.

    The day plan (`review_slots`, `review_activities`) is generated from the pack's suggested timetable for the
    team's size and then edited. The interviews' answers (`review_interviews`) become the school's own quality
    standards (`review_standards`): each is a criterion of the school's framework, and an edit is a new row naming
    the one it replaces, so the framework keeps every version. Evidence (`review_evidence`) is recorded against a
    standard by any reviewer and pooled at a collation session (`review_collations`), where the team agrees how far
    each standard is evident (`review_findings`, appended; the latest stands). The report's own words
    (`review_notes`) and the rich priorities (`review_priorities`, each an action in `actions` with its owner)
    complete it. Rows carry their own ids and stamps, so they pool like judgements."""
    db["reviews"].create({
        "visit_id": str, "pack_id": str, "team": str, "days": str, "day_starts": str, "stages": str, "areas": str,
        "subjects": str, "discussion": str, "discussed_on": str, "discussed_with": str, "framework_version": int,
        "created_at": str, "updated_at": str,
    }, pk="visit_id", not_null={"pack_id", "team", "days", "day_starts", "stages", "areas", "subjects",
                                "discussion", "framework_version", "created_at", "updated_at"},
        foreign_keys=[("visit_id", "visits", "id")])
    db["review_slots"].create({
        "id": str, "visit_id": str, "day": int, "position": int, "session": str, "label": str, "minutes": int,
        "updated_at": str,
    }, pk="id", not_null={"visit_id", "day", "position", "session", "label", "minutes", "updated_at"},
        foreign_keys=[("visit_id", "visits", "id")])
    db.execute("CREATE UNIQUE INDEX idx_review_slots_order ON review_slots (visit_id, day, position)")
    db["review_activities"].create({
        "id": str, "slot_id": str, "visit_id": str, "reviewer": int, "kind": str, "area_id": str, "text": str,
        "joins": int, "updated_at": str,
    }, pk="id", not_null={"slot_id", "visit_id", "reviewer", "kind", "text", "joins", "updated_at"},
        foreign_keys=[("slot_id", "review_slots", "id"), ("visit_id", "visits", "id")])
    db.execute("CREATE UNIQUE INDEX idx_review_activities_slot ON review_activities (slot_id, reviewer)")
    db["review_interviews"].create({
        "id": str, "visit_id": str, "area_id": str, "reviewer": int, "interviewees": str, "text": str, "day": int,
        "session": str, "concerns_individual": int, "created_at": str,
    }, pk="id", not_null={"visit_id", "area_id", "reviewer", "interviewees", "text", "concerns_individual",
                          "created_at"},
        foreign_keys=[("visit_id", "visits", "id")])
    db.execute("CREATE INDEX idx_review_interviews_visit ON review_interviews (visit_id, created_at)")
    db["review_standards"].create({
        "id": str, "visit_id": str, "code": str, "area_id": str, "text": str, "version": int, "replaces": str,
        "interview_id": str, "withdrawn": int, "framework_version": int, "created_at": str,
    }, pk="id", not_null={"visit_id", "code", "area_id", "text", "version", "withdrawn", "framework_version",
                          "created_at"},
        foreign_keys=[("visit_id", "visits", "id"), ("interview_id", "review_interviews", "id")])
    db.execute("CREATE UNIQUE INDEX idx_review_standards_code ON review_standards (visit_id, code, version)")
    db["review_collations"].create({
        "id": str, "visit_id": str, "day": int, "session": str, "held_at": str,
    }, pk="id", not_null={"visit_id", "held_at"}, foreign_keys=[("visit_id", "visits", "id")])
    db["review_evidence"].create({
        "id": str, "visit_id": str, "code": str, "kind": str, "reviewer": int, "extent": str, "text": str,
        "day": int, "session": str, "concerns_individual": int, "collation_id": str, "created_at": str,
    }, pk="id", not_null={"visit_id", "code", "kind", "reviewer", "extent", "text", "concerns_individual",
                          "created_at"},
        foreign_keys=[("visit_id", "visits", "id"), ("collation_id", "review_collations", "id")])
    db.execute("CREATE INDEX idx_review_evidence_visit ON review_evidence (visit_id, code, created_at)")
    db["review_findings"].create({
        "id": str, "visit_id": str, "collation_id": str, "code": str, "extent": str, "suggested": str,
        "evidence": int, "note": str, "created_at": str,
    }, pk="id", not_null={"visit_id", "code", "evidence", "note", "created_at"},
        foreign_keys=[("visit_id", "visits", "id"), ("collation_id", "review_collations", "id")])
    db.execute("CREATE INDEX idx_review_findings_visit ON review_findings (visit_id, code, created_at, id)")
    db["review_notes"].create({
        "id": str, "visit_id": str, "kind": str, "area_id": str, "text": str, "created_at": str,
    }, pk="id", not_null={"visit_id", "kind", "text", "created_at"}, foreign_keys=[("visit_id", "visits", "id")])
    db.execute("CREATE INDEX idx_review_notes_visit ON review_notes (visit_id, kind, created_at)")
    db["review_priorities"].create({
        "action_id": str, "visit_id": str, "support": str, "created_at": str,
    }, pk="action_id", not_null={"visit_id", "support", "created_at"},
        foreign_keys=[("action_id", "actions", "id"), ("visit_id", "visits", "id")])


@migrations(name="0015_store_size")
def store_size(db: Database) -> None:
    """idx_judgements_scope goes: its key, (organisation, year, aspect, phase), begins idx_judgements_latest's, and
    that index holds each row's rowid too, so the rating cache's marker (the newest rowid of a scope) is read from
    idx_judgements_latest alone, over the scope's few rows (a handful each, about a hundred at most in a store of a
    million answers). Dropping it saves about 70 bytes per answer in a team store."""
    db.execute("DROP INDEX IF EXISTS idx_judgements_scope")


def _microsecond_after(stamp: str) -> str | None:
    try:
        t = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (t + timedelta(microseconds=1)).isoformat(timespec="microseconds")


# Read through pending() on an empty database: the public way to list a set's migrations in order.
KNOWN = [m.name for m in migrations.pending(Database(memory=True))]
