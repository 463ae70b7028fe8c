"""Generate a synthetic regional store: 150 LAs (each with schools), 10 academic years, ~1,000,000 responses.

    .venv/bin/python bench/gen_store.py [PATH] [--responses N] [--seed S] [--force] [--quick]

The file is created with laqs_assist.store.Store (schema, migrations, WAL), then filled with executemany in large
transactions on a second connection (synchronous=OFF while loading: a half-written file is simply regenerated).
Each transaction's answers go into the full-text index in one statement at its end, as the application's
Store.index_pending adds a batch; no ANALYZE and no FTS optimize are run, because the application never runs them
either.

Answer texts are built from the pack's own criterion, standard and question wording plus a word list (sampled
with a Zipf-like skew), so FTS sees real vocabulary with realistic frequencies.

The store is reused when it already holds the requested number of responses (see `ensure_store`), so other
benchmarks can call it cheaply. Default path: bench/out/regional.db (1M), bench/out/regional-N.db otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import _common as C

GENERATOR_VERSION = 4
DEFAULT_RESPONSES = 1_000_000
QUICK_RESPONSES = 20_000
N_LAS = 150
SCHOOLS_PER_LA = 12
FIRST_YEAR = 2016  # academic years 2016/17 … 2025/26
N_YEARS = 10
BATCH_RESPONSES = 50_000  # responses per transaction


def default_path(responses: int) -> Path:
    return C.OUT / ("regional.db" if responses == DEFAULT_RESPONSES else f"regional-{responses}.db")


# --- vocabulary ------------------------------------------------------------------------------------------------

DOMAIN_WORDS = """
phonics moderation safeguarding attendance exclusions governors governance headteacher headteachers deputy
curriculum assessment tracking targets attainment progress outcomes intervention interventions consultants
consultant adviser advisers inspection inspections ofsted category categories notice improvement partner partners
SIP SIPs NCA EYC EYCs EYFS foundation stage profile reception nursery settings setting childminders providers
provider pupils pupil children learners learner families parents carers SEN SENCO disadvantaged vulnerable looked
after pupil premium free school meals gaps gap narrowing closing boys girls writing reading mathematics numeracy
literacy science English maths key stage KS1 KS2 KS3 KS4 GCSE A-level sixth form secondary primary infant junior
academy academies trust trusts federation federations cluster clusters network networks collaboration partnership
leadership leaders middle senior subject coordinator coordinators teaching learning lessons observation
observations feedback marking planning challenge support monitoring evaluation self-evaluation SEF SDP plan plans
priorities priority strategy strategic budget funding resources resource deployment brokerage traded services
commissioning risk register risks causing concern warning notice special measures serious weaknesses requires
improvement good outstanding satisfactory inadequate coasting floor standards threshold data dashboard RAISEonline
FFT analysis analyses benchmark benchmarking trend trends cohort cohorts intake mobility attendance persistent
absence behaviour exclusion fixed-term permanent transition transfer induction CPD training coaching mentoring
recruitment retention vacancies interim executive succession wellbeing workload moderation standardisation
validation accuracy teacher assessment writing moderation visits visit report reports note notes agenda actions
action timescales deadline owners evidence impact robust rigorous rigour consistent consistency variable
inconsistent effective effectively ineffective improving improved declining stable sustained rapid decisive
""".split()

GENERAL_WORDS = """
the of and to in a is that for it as was with be by on not he this are or his from at which but have an they
you were her she there been one all we their has would when if so no will more about up out them what some
other into than its time only could new these two may first then do any like my now over such our man me even
most made after also did many before must through back years where much your way well down should because each
just those people how too little state good very make world still own see men work long get here between both
life being under never day same another know while last might us great old year off come since against go came
right used take three states himself few house use during without again place around however home small found
thought went say part once general high upon school every united left number course war until always away
something fact though water less public put think almost hand enough far took head yet government system better
set told nothing night end why called didn't eyes find going look asked later knew point next program city
business give group toward young days let room president side social given present several order national
possible rather second face per among form important often things looking early white case john become large big
need four within felt along children saw best church ever least power development light thing seemed family
interest want members mind country area others done turned although open god service certain kind problem began
different door thus help sense means whole matter perhaps itself york times human law line above name example
action company hands local show five whether gave either today act feet across taken past quite anything having
seen death body experience half really week word field car words already themselves information tell together
college shall money period held keep sure probably free real seems behind cannot political air question office
brought whose special heard major problems ago became federal moment study available known result street economic
boy position reason change south board individual job areas society west close turn love community true court
force full seem am wife age policy voice center woman control common necessary following front sometimes six girl
clear further land run students provide making person living able feel level meeting term termly annual annually
half-termly weekly monthly autumn spring summer january february march april may june july september october
november december
""".split()

ACTORS = ["The LA", "The director of children's services", "The head of school improvement", "The lead adviser",
          "The EYFS lead", "The primary strategy manager", "The secondary strategy manager", "Headteachers",
          "The SIP team", "Governors", "The data manager", "The senior adviser", "School improvement officers",
          "The assistant director", "The early years team", "Consultants", "The standards team", "The local authority"]
REPORT_VERBS = ["said", "reported", "explained", "confirmed", "acknowledged", "noted", "argued", "agreed",
                "showed", "stated", "described how", "accepted"]
QUALIFIERS = ["In most schools", "In a minority of settings", "Since the last visit", "This year", "Last term",
              "Across the authority", "In secondary", "In primary", "In the early years", "For vulnerable groups",
              "Following the Ofsted inspection", "Compared with statistical neighbours", "Over three years",
              "In the schools causing concern", "Outside the city"]
POPULATIONS = ["schools", "primary schools", "secondary schools", "settings", "pupils", "children", "headteachers",
               "governing bodies", "SIPs", "consultants", "schools causing concern", "academies", "teachers",
               "pupils eligible for free school meals", "looked after children", "boys", "girls"]
OUTCOMES = ["met their targets", "were judged good or better", "received targeted support", "improved attainment",
            "were visited termly", "moderated their assessments", "closed the gap", "took up the training",
            "had an agreed action plan", "showed sustained improvement", "were in a category of concern",
            "shared their data", "reported accurate tracking", "improved attendance", "had a new headteacher"]
STREETS = ["Oak", "Elm", "Ash", "Beech", "Birch", "Cedar", "Willow", "Hazel", "Rowan", "Holly", "Maple", "Larch",
           "Church", "Park", "Mill", "Bridge", "Green", "Hill", "Meadow", "Brook", "Castle", "Manor", "Priory",
           "Abbey", "Grange", "Hall", "Field", "Valley", "River", "Forest", "St Mary's", "St John's", "St Peter's",
           "St Paul's", "Holy Trinity", "All Saints", "Christ Church", "St Andrew's", "St George's", "St Anne's"]
SCHOOL_KINDS = ["Primary School", "Infant School", "Junior School", "CE Primary School", "Academy",
                "High School", "Community College", "Catholic Primary School", "Nursery School", "Secondary School"]
ROOTS = """Ashby Barford Brackley Burnham Calder Carlton Chesterford Clayton Colbury Dalton Denham Elmstead Everton
Fairford Farnley Glenholm Grantley Hadley Halston Harwood Hatherley Holbrook Kelsall Kingsmoor Langford Lindley
Marston Medbury Milford Morland Netherby Newbold Norbury Oakham Oldfield Overton Pemberton Radley Redcliffe
Rossington Rowley Sandford Shelton Southwold Stanmore Stoneleigh Sutton Thornbury Thurston Tilbury Upton Walford
Westbury Whitley Winford Woodley Wraxall Yarwood""".split()
AREA = ["", "North ", "South ", "East ", "West ", "Greater ", "Mid ", "Upper ", "Lower "]
FIRST = ["Anne", "Brian", "Carol", "David", "Elaine", "Farid", "Grace", "Hugh", "Imran", "Janet", "Kevin", "Lorna",
         "Mark", "Nadia", "Owen", "Priya", "Ruth", "Simon", "Tariq", "Una", "Victor", "Wendy", "Yusuf", "Zoe"]
LAST = ["Adams", "Begum", "Clarke", "Davies", "Evans", "Foster", "Green", "Hussain", "Iqbal", "Jones", "Khan",
        "Lewis", "Morgan", "Nolan", "Owen", "Patel", "Quinn", "Roberts", "Smith", "Taylor", "Walsh", "Young"]
ROLES = ["head of school improvement", "EYFS lead", "primary lead", "secondary lead", "data manager",
         "assistant director", "headteacher", "deputy headteacher", "chair of governors"]


def _fragments(text: str, rng: random.Random) -> list[str]:
    words = re.sub(r"\s+", " ", text).strip().rstrip(".:;").split(" ")
    if len(words) <= 12:
        return [" ".join(words)]
    out = []
    for _ in range(3):
        n = rng.randint(7, 14)
        i = rng.randint(0, max(0, len(words) - n))
        out.append(" ".join(words[i:i + n]))
    return out


class Texts:
    """Pools of sentences per aspect, from the pack's own wording plus a skewed word list."""

    def __init__(self, pack, rng: random.Random, per_aspect: int = 2500) -> None:
        self.rng = rng
        vocab = DOMAIN_WORDS + GENERAL_WORDS
        weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocab))]
        rng.shuffle(vocab)  # which words are common is part of the seed
        self.vocab, self.weights = vocab, weights
        self.pools: dict[str, list[str]] = {}
        frags_by_aspect: dict[str, list[str]] = {}
        for a in pack.aspects.values():
            frags = []
            for c in a.criteria:
                frags += _fragments(c.text, rng)
            for s in a.standards:
                frags += _fragments(s.text, rng)
                for sub in s.sub:
                    frags += _fragments(sub, rng)
            for q in pack.questions.values():
                if q.aspect == a.id:
                    frags += _fragments(q.text + " " + " ".join(q.sub), rng)
            frags_by_aspect[a.id] = [f[0].lower() + f[1:] for f in frags if f]
        self.generic = [self._sentence(rng.choice(list(frags_by_aspect.values()))) for _ in range(per_aspect)]
        for aspect_id, frags in frags_by_aspect.items():
            self.pools[aspect_id] = [self._sentence(frags) for _ in range(per_aspect)]

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocab, self.weights, k=k)

    def _sentence(self, frags: list[str]) -> str:
        r = self.rng
        form = r.randrange(6)
        if form == 0:
            return f"{r.choice(ACTORS)} {r.choice(REPORT_VERBS)} that {r.choice(frags)}."
        if form == 1:
            return f"{r.randint(35, 99)}% of {r.choice(POPULATIONS)} {r.choice(OUTCOMES)}."
        if form == 2:
            w = self._words(6)
            return (f"{r.choice(QUALIFIERS)}, {r.choice(frags)}; {w[0]} {w[1]} and {w[2]} remain a priority "
                    f"for {r.choice(POPULATIONS)}.")
        if form == 3:
            w = self._words(r.randint(8, 16))
            return f"{r.choice(ACTORS)} {r.choice(REPORT_VERBS)} {' '.join(w)}."
        if form == 4:
            w = self._words(4)
            return (f"Evidence seen: {r.choice(frags)}, with {w[0]} {w[1]} in {r.randint(2, 40)} "
                    f"{r.choice(POPULATIONS)} and {w[2]} {w[3]}.")
        w = self._words(r.randint(5, 10))
        return f"{r.choice(QUALIFIERS)} {' '.join(w)}, {r.choice(frags)}."

    def answer(self, aspect_id: str, answer_type: str, school: str) -> str:
        r = self.rng
        n = r.choices((1, 2, 3, 4), (3, 4, 3, 1))[0]
        pool = self.pools[aspect_id]
        parts = [r.choice(pool) if r.random() < 0.75 else r.choice(self.generic) for _ in range(n)]
        if r.random() < 0.25:
            parts.append(f"{school} was given as an example.")
        if r.random() < 0.2:
            parts.append(f"Figures from {r.choice(['autumn', 'spring', 'summer'])} {r.randint(2016, 2026)}.")
        text = " ".join(parts)
        if answer_type == "yes_no":
            text = r.choice(("Yes. ", "Yes, ", "No. ", "No, ")) + text
        elif answer_type == "choice":
            text = f"{r.randint(1, 3)} {text}"
        return text


# --- the generator -------------------------------------------------------------------------------------------


def _stamp(d: date, minutes: float) -> str:
    t = datetime(d.year, d.month, d.day, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    return t.isoformat(timespec="microseconds")


def _academic_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _uid(rng: random.Random) -> str:
    """A version-4 UUID string like the store's new_id(), seeded (and cheaper than uuid.UUID)."""
    h = "%032x" % rng.getrandbits(128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def generate(path: Path, responses: int, seed: int = 2009, log=print) -> dict[str, int]:
    from laqs_assist.packs import load_pack
    from laqs_assist.paths import default_pack_path
    from laqs_assist.store import Store

    t0 = C.clock()
    pack = load_pack(default_pack_path())
    rng = random.Random(seed)
    texts = Texts(pack, rng)

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", ".json"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()
    Store(path).close()  # schema, migrations, WAL: exactly as the application creates a store

    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    # Bulk load without a journal and without syncs: a failed run leaves no .json record and is regenerated,
    # never reused. The store goes back to WAL (as the application left it) once loaded.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = OFF")  # rows are generated consistent; checked by --check
    counts = {t: 0 for t in ("organisations", "people", "visits", "visit_people", "visit_items", "responses",
                             "response_versions", "judgements", "actions", "ratings", "events")}

    # Organisations and people.
    names = [f"{a}{r}" for r in ROOTS for a in AREA]
    rng.shuffle(names)
    las = []
    orgs, people = [], []
    created = _stamp(date(FIRST_YEAR, 8, 20), 0)
    schools_of: dict[str, list[tuple[str, str]]] = {}
    contacts_of: dict[str, list[str]] = {}
    heads_of: dict[str, str] = {}
    for i in range(N_LAS):
        la_id = _uid(rng)
        la_name = names[i]
        las.append((la_id, la_name))
        orgs.append((la_id, la_name, "LA", None, created))
        schools = []
        for k in range(SCHOOLS_PER_LA):
            sid = _uid(rng)
            sname = f"{STREETS[(i * 7 + k * 3) % len(STREETS)]} {SCHOOL_KINDS[k % len(SCHOOL_KINDS)]}, {la_name}"
            schools.append((sid, sname))
            orgs.append((sid, sname, "school", la_id, created))
            pid = _uid(rng)
            people.append((pid, f"{rng.choice(FIRST)} {rng.choice(LAST)}", "headteacher", sid, created))
            heads_of[sid] = pid
        schools_of[la_id] = schools
        contacts_of[la_id] = []
        for k in range(4):
            pid = _uid(rng)
            people.append((pid, f"{rng.choice(FIRST)} {rng.choice(LAST)}", ROLES[k], la_id, created))
            contacts_of[la_id].append(pid)
    advisers = [f"{first} {last}" for first in FIRST[:12] for last in LAST[:3]]

    conn.execute("BEGIN")
    conn.executemany("INSERT INTO organisations VALUES (?,?,?,?,?)", orgs)
    conn.executemany("INSERT INTO people (id, name, role, organisation_id, created_at) VALUES (?,?,?,?,?)", people)
    conn.execute("COMMIT")
    counts["organisations"], counts["people"] = len(orgs), len(people)

    # Visit plans: an exact quota of responses per LA-year, split into visits, then sorted by date so rows go in
    # in the order a real region would have recorded them.
    per = responses // (N_LAS * N_YEARS)
    extra = responses - per * N_LAS * N_YEARS
    plans = []  # (date, la index, is_school, school index, n_responses)
    k = 0
    for y in range(N_YEARS):
        start = FIRST_YEAR + y
        for li in range(N_LAS):
            quota = per + (1 if k < extra else 0)
            k += 1
            while quota > 0:
                school = rng.random() < 0.5
                n = rng.randint(6, 24) if school else rng.randint(8, 34)
                n = min(n, quota)
                quota -= n
                day = date(start, 9, 3) + timedelta(days=rng.randint(0, 320))
                if day.weekday() >= 5:
                    day -= timedelta(days=day.weekday() - 4)
                plans.append((day, li, school, rng.randrange(SCHOOLS_PER_LA), n))
    plans.sort(key=lambda p: p[0])
    last_day = plans[-1][0]

    agendas = {"la": pack.agendas["la-contacts"], "school": pack.agendas["headteachers"]}
    phases_all = pack.phase_ids()
    crit_by_aspect = {a.id: [c for c in a.criteria if c.kind == "statement"] for a in pack.aspects.values()}
    states, state_w = ("met", "partly", "not_met", "unknown"), (5, 3, 2, 0.3)
    columns = pack.column_ids()
    seq = 0

    buf: dict[str, list] = {t: [] for t in counts}
    insert_secs: dict[str, float] = {}
    events: list[tuple] = []

    sql = {
        "visits": "INSERT INTO visits VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "visit_people": "INSERT OR IGNORE INTO visit_people VALUES (?,?,?)",
        "visit_items": "INSERT INTO visit_items VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        "responses": "INSERT INTO responses VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        "response_versions": "INSERT INTO response_versions VALUES (?,?,?,?)",
        "judgements": "INSERT INTO judgements VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "actions": "INSERT INTO actions VALUES (?,?,?,?,?,?,?,?,?,?)",
        "ratings": "INSERT INTO ratings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "events": "INSERT INTO events (id, at, visit_id, kind, entity, payload) VALUES (?,?,?,?,?,?)",
    }

    def write_batch(batch: dict[str, list], evs: list[tuple]) -> None:
        """Runs on the writer thread: sqlite3 releases the GIL while it works, so generation goes on meanwhile."""
        conn.execute("BEGIN")
        # Parents first, as the application would have written them.
        for table in ("visits", "visit_people", "visit_items", "responses", "response_versions", "judgements",
                      "actions", "ratings"):
            if batch[table]:
                t = C.clock()
                conn.executemany(sql[table], batch[table])
                insert_secs[table] = insert_secs.get(table, 0.0) + C.clock() - t
                counts[table] += len(batch[table])
        # The search index takes the batch's answers in one go, as Store.index_pending does.
        conn.execute("INSERT INTO responses_fts (rowid, text) SELECT rowid, text FROM responses "
                     "WHERE rowid > (SELECT indexed_to FROM search_state WHERE id = 1) ORDER BY rowid")
        conn.execute("UPDATE search_state SET indexed_to = (SELECT coalesce(max(rowid), 0) FROM responses) "
                     "WHERE id = 1")
        evs.sort(key=lambda e: e[1])
        t = C.clock()
        conn.executemany(sql["events"], evs)
        counts["events"] += len(evs)
        insert_secs["events"] = insert_secs.get("events", 0.0) + C.clock() - t
        t = C.clock()
        conn.execute("COMMIT")
        insert_secs["commit"] = insert_secs.get("commit", 0.0) + C.clock() - t

    writer = ThreadPoolExecutor(1, thread_name_prefix="writer")
    inflight = None

    def flush() -> None:
        nonlocal buf, events, inflight
        batch, evs = buf, events
        buf, events = {t: [] for t in counts}, []
        if inflight is not None:
            inflight.result()  # one batch in flight at most: bounded memory, errors surface here
        inflight = writer.submit(write_batch, batch, evs)

    pending = 0
    done = 0
    t_last = C.clock()
    for day, li, is_school, si, n_resp in plans:
        la_id, la_name = las[li]
        if is_school:
            org_id, org_name = schools_of[la_id][si]
            agenda = agendas["school"]
            phases = [rng.choice(("P", "S")) if "Primary" not in org_name else "P"]
            if "Nursery" in org_name:
                phases = ["EY"]
            people_here = [heads_of[org_id]]
        else:
            org_id, org_name = la_id, la_name
            agenda = agendas["la"]
            phases = phases_all if rng.random() < 0.7 else rng.sample(phases_all, rng.randint(1, 2))
            people_here = rng.sample(contacts_of[la_id], rng.randint(1, 3))
        example_school = schools_of[la_id][rng.randrange(SCHOOLS_PER_LA)][1]
        year = _academic_year(day.year if day.month >= 9 else day.year - 1)
        vid = _uid(rng)
        focus = rng.sample(list(pack.aspects), rng.randint(0, 2))
        questions = [q for s in agenda.sections for q in s.questions
                     if any(pack.aspects[q.aspect].applies_to(p) for p in phases)]
        # Focus first, as the session orders them.
        questions.sort(key=lambda q: (q.aspect not in focus,))
        n_notes = max(0, round(n_resp * 0.1 * rng.random() * 2))
        n_notes = min(n_notes, n_resp - 1)
        n_items_answered = n_resp - n_notes
        # Probes appear when an aspect's questions are done: add a few, answered like questions.
        items = [("question", q.id, q.aspect, q.text, "[]", q.answer) for q in questions]
        n_probes = min(3, max(0, n_items_answered - len(items))) + (rng.random() < 0.4)
        for _ in range(n_probes):
            q = rng.choice(questions)
            crit = rng.choice(crit_by_aspect[q.aspect])
            pos = max(i for i, it in enumerate(items) if it[2] == q.aspect) + 1
            items.insert(pos, ("probe", None, q.aspect, f"What evidence is there that: {crit.text} ({crit.id})",
                               _dump([crit.id]), "text"))
        n_items_answered = min(n_items_answered, len(items))
        n_notes = n_resp - n_items_answered
        ended = day < last_day - timedelta(days=20) or rng.random() < 0.6
        status = "ended" if ended else rng.choice(("in_progress", "paused"))
        minute = 0.0
        created_at = _stamp(day, minute)
        position = None
        answered = 0
        aspects_touched: list[str] = []
        for pos, (kind, qid, aspect_id, qtext, targets, atype) in enumerate(items):
            iid = _uid(rng)
            st = "pending"
            rid = None
            if answered < n_items_answered:
                if rng.random() < 0.08:
                    st = "skipped" if kind == "question" else "dismissed"
                    events.append((_uid(rng), _stamp(day, minute + 0.5), vid, f"item.{st}", iid, "{}"))
                else:
                    st = "answered"
                    answered += 1
                    minute += rng.uniform(1.5, 6.0)
                    rid = _uid(rng)
                    at = _stamp(day, minute)
                    text = texts.answer(aspect_id, atype, example_school)
                    value = None
                    if atype == "yes_no":
                        value = "yes" if text.startswith("Y") else "no"
                    elif atype == "choice":
                        q = pack.questions[qid]
                        value = q.choices[min(int(text.split(" ", 1)[0]), len(q.choices)) - 1]
                    flagged = 1 if rng.random() < 0.005 else 0
                    updated = at
                    if rng.random() < 0.01:
                        updated = _stamp(day, minute + 0.7)
                        old = texts.answer(aspect_id, atype, example_school)
                        buf["response_versions"].append((_uid(rng), rid, old, updated))
                        events.append((_uid(rng), updated, vid, "response.edit", rid,
                                       _dump({"old": old, "new": text})))
                    buf["responses"].append((rid, vid, org_id, iid, qid, aspect_id, year, text, value, flagged, at,
                                             updated))
                    events.append((_uid(rng), at, vid, "response.add", rid,
                                   _dump({"aspect": aspect_id, "text": text, "question": qid})))
                    if aspect_id not in aspects_touched:
                        aspects_touched.append(aspect_id)
                    # Judgements recorded on the back of this answer.
                    nj = rng.choices((0, 1, 2), (45, 40, 15))[0]
                    for _ in range(nj):
                        ph_ok = [p for p in phases if pack.aspects[aspect_id].applies_to(p)]
                        target, kind_j, state, val = _judgement(pack, aspect_id, crit_by_aspect, rng, states,
                                                                state_w)
                        crit = pack.criteria.get(target)
                        if crit is not None:
                            ph_ok = [p for p in ph_ok if crit.applies_to(p)]
                        jat = _stamp(day, minute + 0.3)
                        for p in ph_ok:
                            seq += 1
                            jid = _uid(rng)
                            buf["judgements"].append((jid, vid, org_id, year, p, aspect_id, target, kind_j, state,
                                                      val, rid, jat, seq))
                            events.append((_uid(rng), jat, vid, "judgement", jid,
                                           _dump({"phase": p, "target": target, "state": state, "value": val})))
            elif position is None:
                position = pos
            buf["visit_items"].append((iid, vid, pos, kind, qid, aspect_id, qtext, targets, st, rid, created_at))
        if position is None:
            position = len(items)
        n_notes = n_resp - answered  # skips can leave fewer items than planned: notes make up the quota
        for _ in range(n_notes):
            minute += rng.uniform(0.5, 3.0)
            aspect_id = rng.choice(aspects_touched or [q.aspect for q in questions])
            rid = _uid(rng)
            at = _stamp(day, minute)
            text = texts.answer(aspect_id, "text", example_school)
            buf["responses"].append((rid, vid, org_id, None, None, aspect_id, year, text, None, 0, at, at))
            events.append((_uid(rng), at, vid, "response.add", rid,
                           _dump({"aspect": aspect_id, "text": text, "question": None})))
        for _ in range(rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0]):
            minute += 1.0
            at = _stamp(day, minute)
            aid = _uid(rng)
            w = texts._words(5)
            atext = f"{rng.choice(['Review', 'Revise', 'Share', 'Moderate', 'Agree', 'Publish'])} " \
                    f"{' '.join(w)} with {rng.choice(POPULATIONS)}"
            owner = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            due = (day + timedelta(days=rng.randint(14, 120))).isoformat()
            astatus = "open" if not ended or rng.random() < 0.4 else rng.choice(("done", "done", "dropped"))
            buf["actions"].append((aid, vid, org_id, rng.choice(aspects_touched or [None]), atext, owner, due,
                                   astatus, at, at))
            events.append((_uid(rng), at, vid, "action.add", aid, _dump({"text": atext, "owner": owner, "due": due})))
        updated_at = _stamp(day, minute + 1)
        if ended:
            for aspect_id in aspects_touched:
                for p in phases:
                    if not pack.aspects[aspect_id].applies_to(p):
                        continue
                    sug = rng.choices(columns, (1, 5, 3, 1))[0]
                    ceil = columns[max(0, columns.index(sug) - rng.randint(0, 2))]
                    override = rng.choice(columns) if rng.random() < 0.05 else None
                    self_eval = rng.choice(columns) if rng.random() < 0.3 else None
                    rat_id = _uid(rng)
                    buf["ratings"].append((rat_id, vid, org_id, year, p, aspect_id, sug, ceil,
                                           f"{pack.column(sug).label}: the criteria for a higher column are not met",
                                           override, "agreed at the meeting" if override else None, self_eval,
                                           1 if override or rng.random() < 0.5 else 0, updated_at))
                    if override or self_eval:
                        events.append((_uid(rng), updated_at, vid, "rating.update", rat_id,
                                       _dump({"phase": p, "aspect": aspect_id, "override": override,
                                              "self_evaluation": self_eval})))
            events.append((_uid(rng), updated_at, vid, "visit.ended", vid, "{}"))
        buf["visits"].append((vid, org_id, pack.id, agenda.id, _dump(phases), _dump(focus), day.isoformat(), year,
                              rng.choice(advisers), "", status, position, created_at, updated_at,
                              updated_at if ended else None, pack.version, ""))
        events.append((_uid(rng), created_at, vid, "visit.start", vid,
                       _dump({"agenda": agenda.id, "phases": phases, "focus": focus, "date": day.isoformat()})))
        for pid in people_here:
            buf["visit_people"].append((vid, pid, ""))
        pending += n_resp
        done += n_resp
        if pending >= BATCH_RESPONSES:
            flush()
            pending = 0
            now = C.clock()
            if now - t_last > 10:
                log(f"  … {done:,} responses ({done / responses:.0%}) in {now - t0:.0f} s")
                t_last = now
    flush()
    inflight.result()
    writer.shutdown()
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    assert mode == "wal", mode
    conn.close()
    secs = C.clock() - t0
    meta = {"version": GENERATOR_VERSION, "responses": responses, "seed": seed, "seconds": round(secs, 1),
            "rows": counts, "bytes": path.stat().st_size,
            "insert_seconds": {k: round(v, 2) for k, v in insert_secs.items()}}
    Path(str(path) + ".json").write_text(json.dumps(meta, indent=2))
    return meta


def _judgement(pack, aspect_id, crit_by_aspect, rng, states, state_w):
    a = pack.aspects[aspect_id]
    roll = rng.random()
    if a.indicators and roll < 0.15:
        ind = rng.choice(a.indicators)
        return ind.id, "value", None, float(rng.randint(20, 99) if ind.unit != "number" else rng.randint(0, 12))
    if a.sets and roll < 0.25:
        s = rng.choice(a.sets)
        return s.id, "count", None, float(rng.randint(0, len(s.items)))
    if roll > 0.93:
        return aspect_id, "impact", rng.choice(("none", "some", "some", "substantial")), None
    c = rng.choice(crit_by_aspect[aspect_id])
    return c.id, "state", rng.choices(states, state_w)[0], None


# --- reuse -----------------------------------------------------------------------------------------------------


def _schema(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'bench%' ORDER BY type, name")]


def current_schema() -> list[str]:
    """The schema a store created now by laqs_assist gets (src/ changes under the benchmarks)."""
    import tempfile

    from laqs_assist.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        Store(Path(tmp) / "probe.db").close()
        conn = sqlite3.connect(Path(tmp) / "probe.db")
        try:
            return _schema(conn)
        finally:
            conn.close()


def existing(path: Path, responses: int) -> dict | None:
    """The generator's record of a complete store with exactly `responses` responses and today's schema."""
    meta_path = Path(str(path) + ".json")
    if not path.exists() or not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("version") != GENERATOR_VERSION or meta.get("responses") != responses:
            return None
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            n = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
            schema = _schema(conn)
        finally:
            conn.close()
    except (OSError, ValueError, sqlite3.DatabaseError):
        return None
    if schema != current_schema():
        print(f"{path}: its schema differs from the one laqs_assist creates now: regenerating")
        return None
    return meta if n == responses else None


def ensure_store(responses: int = DEFAULT_RESPONSES, path: Path | None = None, seed: int = 2009,
                 log=print) -> Path:
    """The path of a synthetic store of that size, generated only if it is not there already."""
    path = path or default_path(responses)
    if existing(path, responses) is None:
        log(f"generating {path} with {responses:,} responses …")
        meta = generate(path, responses, seed, log)
        log(f"generated in {meta['seconds']} s")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, help="output store (default: bench/out/regional.db)")
    ap.add_argument("--responses", type=int, default=None, help=f"responses to generate (default {DEFAULT_RESPONSES:,})")
    ap.add_argument("--seed", type=int, default=2009)
    ap.add_argument("--force", action="store_true", help="regenerate even if a store of that size exists")
    ap.add_argument("--quick", action="store_true", help=f"a smoke run: {QUICK_RESPONSES:,} responses")
    ap.add_argument("--check", action="store_true", help="run foreign_key_check and integrity_check afterwards")
    args = ap.parse_args(argv)
    responses = args.responses or (QUICK_RESPONSES if args.quick else DEFAULT_RESPONSES)
    path = args.path or default_path(responses)
    meta = None if args.force else existing(path, responses)
    if meta is not None:
        print(f"reusing {path}: {responses:,} responses already there (generated in {meta['seconds']} s; "
              "--force to regenerate)")
        reused = True
    else:
        print(f"generating {path}: {N_LAS} LAs × {SCHOOLS_PER_LA} schools, {N_YEARS} academic years, "
              f"{responses:,} responses")
        meta = generate(path, responses, args.seed)
        reused = False
    rows = meta["rows"]
    width = max(len(t) for t in rows)
    for table, n in rows.items():
        print(f"  {table:<{width}}  {n:>10,}")
    total = sum(rows.values())
    print(f"  {'total rows':<{width}}  {total:>10,}")
    print(f"  file: {meta['bytes'] / 1e6:,.0f} MB; generation: {meta['seconds']} s "
          f"({rows['responses'] / max(meta['seconds'], 1e-9):,.0f} responses/s, {total / max(meta['seconds'], 1e-9):,.0f} rows/s)")
    if args.check:
        conn = sqlite3.connect(str(path))
        t = C.clock()
        print("  foreign_key_check:", conn.execute("PRAGMA foreign_key_check").fetchmany(5) or "ok")
        print("  integrity_check:", conn.execute("PRAGMA quick_check").fetchone()[0], f"({C.clock() - t:.0f} s)")
        conn.close()
    C.emit("gen_store", f"generate {responses:,} responses ({total:,} rows)",
           f"{meta['seconds']} s" + (" (reused)" if reused else ""),
           target="a few minutes", ok=meta["seconds"] < 300)
    return 0


if __name__ == "__main__":
    sys.exit(main())
