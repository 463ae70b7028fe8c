"""What a store shows when it is browsed with Datasette (app/serve.py): the tables a shared reader may open, and the
canned queries (the dashboard, coverage, overdue actions, search). Nothing here reads a flagged answer's words: the
answers are reached through the shared_answers view (migration 0011), and every other table holding an answer's
words (responses, their versions, the search index, the event log) is closed, as is any table not named here."""

from __future__ import annotations

from .actions import DUE_NOW

# Tables a shared reader may open; every other table in the file is closed to every reader.
OPEN_TABLES = {
    "organisations": "The LAs and schools visited; code is the LA code or the school's URN where known.",
    "organisation_aliases": "Other names an organisation is known by in the advisers' stores.",
    "visits": "Finalised visits: where, when, by whom, for which phases and aspects, and the adviser's summary.",
    "people": "People met at visits, with their roles.",
    "judgements": "What each visit judged: a criterion's state, a count, an indicator's value or the impact.",
    "ratings": "Each visit's rating per phase and aspect: the suggestion, the ceiling, any override and the LA's "
               "self-evaluation.",
    "rating_decisions": "An adviser's decisions on a rating (override or agreement), with when and why.",
    "actions": "Actions agreed at visits.",
    "action_updates": "What became of each action: done, dropped, carried forward or opened again.",
    "register_las": "The LAs whose school register is kept here, with the register pack each is kept by.",
    "register_schools": "The schools on each LA's register, with their URN, phase and kind.",
    "reviews": "School reviews: the team, the days, the stages chosen and the focus the stage 1 discussion agreed.",
    "review_standards": "Each school's own quality standards, as the review's interviews gave them: every version, "
                        "each naming the one it replaces.",
    "review_collations": "The team's collation sessions, where evidence was pooled.",
    "review_findings": "How far each standard was found evident, as the team agreed it (the latest stands).",
    "review_notes": "The review report's own words: judgements, recommendations, questions and points for "
                    "consideration.",
    "review_priorities": "Rich priorities for the school improvement plan, each an action with its owner.",
    "pool_bundles": "The bundles merged into this store: who exported each, when, and how much it held.",
    "pool_policy": "What this team agreed may be pooled beyond the default.",
}
# What the less obvious columns hold, shown beside them.
COLUMNS = {
    "organisations": {"kind": "LA or school", "parent_id": "for a school, its LA",
                      "code": "the LA code, or the school's URN, by which advisers' stores are matched"},
    "visits": {"phases": "the phases discussed (EY early years, P primary, S secondary), as JSON",
               "focus": "the aspects asked about first, as JSON", "academic_year": "e.g. 2026/27",
               "status": "ended for a finalised visit", "summary": "the adviser's own summary of the visit",
               "pack_version": "the edition of the framework the visit was recorded against"},
    "judgements": {"target": "a criterion, a counted set, an indicator or the aspect (impact)",
                   "state": "met, partly, not_met or unknown for a criterion; the level for impact",
                   "value": "a count or an indicator's value", "created_at": "when judged: the latest counts"},
    "ratings": {"suggestion": "the highest column the criteria allow", "ceiling": "the highest column in reach",
                "override": "the adviser's rating where it differs", "self_evaluation": "the LA's own view",
                "accepted": "1 when the adviser agreed the suggestion"},
    "actions": {"due_date": "the date agreed (a carry forward sets a new one in action_updates)"},
    "reviews": {"team": "the reviewers, lead first, as JSON", "days": "the review's days, as JSON",
                "areas": "the areas agreed as the focus, as JSON", "framework_version": "the school framework's "
                "latest version"},
    "review_standards": {"code": "AREA.n", "withdrawn": "1 for a version that withdraws the standard",
                         "interview_id": "the interview that gave it, where that interview is pooled"},
    "review_findings": {"extent": "evident, partly or not evident", "evidence": "pieces of evidence weighed"},
    "action_updates": {"status": "done, dropped, carried or open", "on_date": "the day it happened"},
}
VIEWS = {
    "shared_answers": "Answers recorded at visits, searchable; answers flagged as concerning an individual are "
                      "never here.",
}

# The organisation a query names, found first (by name, LA code or URN, or an alias), so that its rows are read
# through their organisation's index rather than by testing every row against the name.
_ORG = ("r.organisation_id IN (SELECT id FROM organisations WHERE name = :organisation COLLATE NOCASE UNION "
        "SELECT id FROM organisations WHERE code = :organisation UNION SELECT organisation_id FROM "
        "organisation_aliases WHERE name = :organisation COLLATE NOCASE)")

CANNED = {
    "dashboard": {
        "title": "Dashboard: an organisation's ratings for a year",
        "description": "For each phase and aspect, the rating as the latest finalised visit's review left it (the "
                       "override where there is one, else the suggestion), with its ceiling and the date. "
                       "Organisation: a name, alias, LA code or URN; year: e.g. 2026/27.",
        "sql": "SELECT r.phase, r.aspect_id AS aspect, coalesce(r.override, r.suggestion) AS rating, "
               "r.suggestion, r.override, r.ceiling, v.date AS as_of, v.author FROM ratings r "
               # CROSS JOIN keeps the organisation's ratings the outer loop (SQLite's rule for it), never every
               # ended visit's
               "CROSS JOIN visits v ON v.id = r.visit_id JOIN organisations o ON o.id = r.organisation_id "
               f"WHERE {_ORG} AND r.academic_year = :year AND v.status = 'ended' AND NOT EXISTS ("
               "SELECT 1 FROM ratings r2 JOIN visits v2 ON v2.id = r2.visit_id WHERE "
               "r2.organisation_id = r.organisation_id AND r2.academic_year = r.academic_year AND "
               "r2.phase = r.phase AND r2.aspect_id = r.aspect_id AND v2.status = 'ended' AND "
               "(v2.date, v2.created_at, r2.id) > (v.date, v.created_at, r.id)) ORDER BY r.phase, r.aspect_id",
    },
    "coverage": {
        "title": "Coverage: answers recorded per organisation and aspect in a year",
        "description": "How much evidence each organisation's visits gathered per aspect (answers counted, none "
                       "shown). Year: e.g. 2026/27.",
        "sql": "SELECT o.name AS organisation, o.kind, r.aspect_id AS aspect, count(*) AS answers, "
               "count(DISTINCT r.visit_id) AS visits FROM responses r JOIN organisations o ON "
               "o.id = r.organisation_id WHERE r.academic_year = :year GROUP BY o.id, r.aspect_id "
               "ORDER BY o.name, r.aspect_id",
    },
    "overdue_actions": {
        "title": "Overdue actions",
        "description": "Actions still open or carried forward whose due date (the latest carried-forward date, "
                       "else the date agreed) is before the day given (YYYY-MM-DD).",
        "sql": "SELECT o.name AS organisation, a.text AS action, a.owner, a.aspect_id AS aspect, "
               f"{DUE_NOW} AS due, v.date AS agreed_at_visit FROM actions a JOIN visits v ON v.id = a.visit_id "
               "JOIN organisations o ON o.id = a.organisation_id WHERE coalesce((SELECT u.status FROM "
               "action_updates u WHERE u.action_id = a.id ORDER BY u.created_at DESC, u.id DESC LIMIT 1), 'open') "
               f"IN ('open', 'carried') AND {DUE_NOW} < :today ORDER BY due, o.name",
    },
    "shared_documents": {
        "title": "Documents kept as evidence",
        "description": "Documents advisers marked shared, with their kind, size and SHA-256 (the file itself stays "
                       "with the adviser who holds it). Organisation: a name, alias, LA code or URN, or blank for "
                       "every one.",
        "sql": "SELECT o.name AS organisation, v.date, r.aspect_id AS aspect, r.kind, r.title, r.filename, r.size, "
               "r.sha256, r.shared_at FROM documents r JOIN visits v ON v.id = r.visit_id JOIN organisations o ON "
               f"o.id = r.organisation_id WHERE r.shared = 1 AND (:organisation = '' OR {_ORG}) "
               "ORDER BY o.name, v.date, r.created_at",
    },
    "register": {
        "title": "School register: entries",
        "description": "Each school's history on its LA's register (levels, stages of concern, escalation steps, "
                       "strands, visits, reports, support days, reviews), as the entries recorded it; an entry "
                       "flagged as concerning an individual is never shown. Organisation: the LA or the school "
                       "(name, alias, LA code or URN), or blank for every one.",
        "sql": "SELECT la.name AS la, o.name AS school, s.urn, e.kind, e.value, e.days, e.on_date, e.academic_year, "
               "e.reason, e.by_whom, e.rule FROM register_entries e JOIN organisations la ON la.id = e.la_id "
               "LEFT JOIN register_schools s ON s.id = e.school_id LEFT JOIN organisations o ON "
               "o.id = s.organisation_id WHERE e.concerns_individual = 0 AND (:organisation = '' OR "
               f"{_ORG.replace('r.organisation_id', 'e.la_id')} OR "
               f"{_ORG.replace('r.organisation_id', 's.organisation_id')}) "
               "ORDER BY la.name, o.name, e.on_date, e.seq",
    },
    "shared_interviews": {
        "title": "School reviews: interviews",
        "description": "What leaders said in each review's interviews about their school's quality standards; "
                       "interviews flagged as concerning an individual are never shown.",
        "sql": "SELECT o.name AS school, v.date, i.area_id AS area, i.interviewees, i.text, i.day, i.session "
               "FROM review_interviews i JOIN visits v ON v.id = i.visit_id JOIN organisations o ON "
               "o.id = v.organisation_id WHERE i.concerns_individual = 0 ORDER BY v.date, o.name, i.created_at",
    },
    "shared_evidence": {
        "title": "School reviews: evidence",
        "description": "Evidence each review recorded against the school's standards (observations, work samples, "
                       "data, pupils' and teachers' views); evidence flagged as concerning an individual is never "
                       "shown.",
        "sql": "SELECT o.name AS school, v.date, e.code AS standard, e.kind, e.extent, e.text, e.day, e.session "
               "FROM review_evidence e JOIN visits v ON v.id = e.visit_id JOIN organisations o ON "
               "o.id = v.organisation_id WHERE e.concerns_individual = 0 ORDER BY v.date, o.name, e.code, "
               "e.created_at",
    },
    "search": {
        "title": "Search answers",
        "description": "Answers holding every word given (as a prefix), best match first; flagged answers are "
                       "never shown.",
        "sql": "SELECT s.organisation, s.date, s.aspect_id AS aspect, s.text, s.author FROM "
               "(SELECT rowid, rank FROM responses_fts WHERE responses_fts MATCH :q ORDER BY rank LIMIT 200) hits "
               "JOIN shared_answers s ON s.answer_rowid = hits.rowid ORDER BY hits.rank LIMIT 50",
    },
}


def table_names(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
