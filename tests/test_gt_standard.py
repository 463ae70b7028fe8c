"""The LA quality standard for gifted and talented education, end to end: an LA's self-evaluation and a peer
review in which another LA reviews it, each scripted through line mode, each ending in a note of visit in the
standard's own words (three levels, eight dimensions), opened in LibreOffice.

The levels are judged directly on the evidence (the standard gives no criteria per level); documents of the
resource base's kinds are kept in the store with their hash and reach the note only once shared."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from docx2python import docx2python

from laqs_assist.packs.loader import load_pack
from laqs_assist.packs.spreadsheet import same_pack
from laqs_assist.rating import Judgements, rate
from laqs_assist.rollup import dashboard

ROOT = Path(__file__).resolve().parent.parent
GT = ROOT / "interviews" / "gt-laqs"
LAQS = [sys.executable, "-m", "laqs_assist.cli"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


# --- the pack ---------------------------------------------------------------------------------------------------


def test_the_pack_holds_the_standard_as_the_seed_gives_it() -> None:
    pack = load_pack(GT)
    # "three levels … aligned with the positive OFSTED ratings …: adequate, good and outstanding", best first
    assert [(c.id, c.label) for c in pack.columns] == [("outstanding", "Outstanding"), ("good", "Good"),
                                                       ("adequate", "Adequate")]
    assert [c.rag for c in pack.columns] == ["G", "G", "A"]
    # paragraph 7's eight dimensions, a-h, in one group
    assert list(pack.aspects) == [f"7{x}" for x in "abcdefgh"]
    assert pack.aspects["7b"].standards[0].text.startswith("The impact on all educational institutions")
    assert "Institutional Quality Standard (IQS) and the CQS" in pack.aspects["7b"].standards[0].text
    assert pack.aspects["7h"].standards[0].text == ("The contribution to regional, national and international "
                                                   "development in G&T education")
    # no criteria text per level: the pack says so, and levels are judged
    assert pack.criteria == {} and pack.rating_method == "judged"
    assert "gives no criteria text for each level" in pack.rating_note
    # the resource base's thirteen kinds, 8a-m
    assert len(pack.document_kinds) == 13
    assert pack.document_kinds[0].label == "Mini case studies" and pack.document_kinds[8].label == "LA plans"
    assert pack.document_kinds[-1].label.startswith("Links to relevant networks and websites")
    # self-evaluation and peer review
    assert set(pack.agendas) == {"self-evaluation", "peer-review"}
    assert pack.agenda_for("LA") == "self-evaluation"
    assert all(len(pack.agendas[a].sections) == 8 for a in pack.agendas)
    assert pack.terms.aspect == "dimension" and pack.terms.rating == "level"


def test_a_judged_level_is_what_the_adviser_judged_and_nothing_else() -> None:
    pack = load_pack(GT)
    nothing = rate(pack, "7a", "LA", Judgements())
    assert nothing.suggestion is None and "no level judged yet" in nothing.reason
    good = rate(pack, "7a", "LA", Judgements(level="good"))
    assert (good.suggestion, good.ceiling, good.cap, good.blockers) == ("good", "good", None, ())
    assert good.reason == "Good: judged by the adviser on the evidence recorded"
    assert good.lift == ("evidence of practice at Outstanding, judged again",)
    assert rate(pack, "7a", "LA", Judgements(level="outstanding")).lift == ()


def test_the_roll_up_uses_the_three_levels_and_waits_for_all_eight() -> None:
    pack = load_pack(GT)
    seven = {("LA", f"7{x}"): "good" for x in "abcdefg"}
    board = dashboard(pack, seven)
    assert board.rows[0].groups["7"] is None and board.rows[0].rated["7"] == (7, 8)
    board = dashboard(pack, {**seven, ("LA", "7h"): "adequate"})
    assert board.rows[0].groups["7"] == "good" and board.overall["7"] == "good"  # one dimension below is tolerated
    board = dashboard(pack, {**{k: "outstanding" for k in seven}, ("LA", "7g"): "adequate", ("LA", "7h"): "good"})
    assert board.overall["7"] == "good"  # 7g two levels below outstanding holds the LA at good


# --- end to end ---------------------------------------------------------------------------------------------------


def laqs(args: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(LAQS + ["--pack", str(GT)] + args, input=stdin, capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


SELF_EVALUATION = [
    "G&T pupils' attainment at KS2 rose for the third year; the parents' forum meets termly and its survey shows "
    "most parents of G&T learners feel informed",
    "/doc 7a case-study evidence/case-study.txt | Case study: the Saturday masterclasses",
    "/level 7a good",
    "Extend the parents' forum to the secondary phase",
    "Thirty of the LA's forty schools have self-assessed against the IQS; twelve are at developing level",
    "/level 7b good",
    "Support the twelve developing schools through the cluster leads",
    "Every school has a trained G&T lead teacher; governors' training on the IQS ran twice this year",
    "/level 7c outstanding",
    "Keep the termly network meetings",
    "Four clusters share masterclasses and moderation; their leads meet half-termly",
    "/level 7d good",
    "A fifth cluster for the rural schools",
    "The educational psychology service has no G&T offer yet",
    "/level 7e adequate",
    "Agree a G&T strand with the educational psychology service",
    "SIPs raise G&T in every autumn visit and the LA's data pack flags under-performing able pupils",
    "/doc 7f la-plan evidence/gt-plan.txt | LA G&T plan 2026-27",
    "/doc 7f data-analysis evidence/able-pupils.txt | Able pupils data pack",
    "/level 7f good",
    "Add G&T to the SIP brief for the spring visits",
    "Extended schools' clubs include a G&T programme in two of the five areas",
    "/level 7g adequate",
    "Spread the programme to the other three areas",
    "The LA leads the regional partnership's G&T network and hosted the national conference strand",
    "/level 7h outstanding",
    "Publish the conference materials",
    "/action Agree a G&T strand with the educational psychology service | Sam Lee | 2027-03-31",
    "/share 1",
    "/share 2",
    "/end",
] + [f"/accept 7{x} LA" for x in "abcdefgh"] + ["/quit"]

PEER_REVIEW = [
    "The LA gives itself outstanding: attainment rose for three years and the parents' forum is well attended",
    "/self 7a LA outstanding",
    "The masterclass case study is convincing, but the parents' survey had a low return outside two clusters",
    "/level 7a good",
    "Survey parents in every cluster before the next review",
    "The LA gives itself good on the IQS: thirty of forty schools self-assessed",
    "/self 7b LA good",
    "The reviewing LA saw the audit; the moderation of IQS levels is thorough",
    "/level 7b good",
    "Moderate the twelve developing schools' IQS levels next term",
    "The G&T coordinator in one school is not up to the role",
    "/flag",
    "/level 7c good | Network minutes show every G&T lead teacher trained; governors' attendance was patchy",
    "/jump 7e",
    "The LA gives itself adequate for its support services",
    "/self 7e LA adequate",
    "The educational psychology service's plan now has a G&T strand, agreed last month",
    "/level 7e good",
    "/doc 7e exemplar-policy evidence/ep-policy.txt | Educational psychology G&T policy",
    "/end",
    "/accept 7a LA",
    "/accept 7b LA",
    "/accept 7c LA",
    "/accept 7e LA",
    "/quit",
]


def _text(path: Path) -> str:
    with docx2python(path) as doc:
        return doc.text


@pytest.fixture(scope="module")
def visits(tmp_path_factory):
    """Any Borough's self-evaluation in October and Other Shire's peer review of it in November."""
    work = tmp_path_factory.mktemp("gt")
    (work / "evidence").mkdir()
    files = {"case-study.txt": "Saturday masterclasses: 120 pupils, 14 schools\n",
             "gt-plan.txt": "G&T plan 2026-27: priorities, owners, dates\n",
             "able-pupils.txt": "Able pupils: attainment and progress by school\n",
             "ep-policy.txt": "Educational psychology: the G&T strand\n"}
    for name, text in files.items():
        (work / "evidence" / name).write_text(text)
    env = {**os.environ, "LAQS_STORE": str(work / "gt.db"), "LAQS_CONFIG": str(work / "settings.toml"),
           "PYTHONPATH": str(ROOT / "src")}
    se = laqs(["chat", "--org", "Any Borough", "--person", "Sam Lee:G&T lead, Any Borough", "--date", "2026-10-05",
               "--author", "Sam Lee", "--purpose", "Self-evaluation of the LA's G&T provision against the LAQS"],
              env, work, "\n".join(SELF_EVALUATION) + "\n")
    assert se.returncode == 0, se.stderr
    se_note = laqs(["note", "last"], env, work)
    assert se_note.returncode == 0, se_note.stderr
    pr = laqs(["chat", "--org", "Any Borough", "--agenda", "peer-review", "--date", "2026-11-16",
               "--person", "Kim Patel:G&T lead, Other Shire (reviewing LA)",
               "--person", "Sam Lee:G&T lead, Any Borough", "--author", "Kim Patel",
               "--purpose", "Peer review of Any Borough's G&T provision by Other Shire"],
              env, work, "\n".join(PEER_REVIEW) + "\n")
    assert pr.returncode == 0, pr.stderr
    pr_note = laqs(["note", "last"], env, work)
    assert pr_note.returncode == 0, pr_note.stderr
    notes = sorted((work / "notes").glob("*.docx"))
    assert len(notes) == 2
    return {"work": work, "env": env, "files": files, "se": se, "pr": pr, "se_note": notes[0], "pr_note": notes[1]}


def test_the_self_evaluation_judges_every_dimension_and_keeps_its_documents(visits) -> None:
    out = visits["se"].stdout
    assert "✓ 7a judged Good" in out and "✓ 7h judged Outstanding" in out and "✓ 7e judged Adequate" in out
    assert "kept for 7a (case-study" in out and "private until /share" in out
    with sqlite3.connect(visits["work"] / "gt.db") as db:
        rows = db.execute("SELECT aspect_id, kind, title, sha256, size, shared, content FROM documents "
                          "ORDER BY created_at").fetchall()
        levels = db.execute("SELECT aspect_id, state FROM judgements WHERE kind = 'level' ORDER BY created_at")\
            .fetchall()
    kept = {r[2]: r for r in rows}
    case = kept["Case study: the Saturday masterclasses"]
    data = visits["files"]["case-study.txt"].encode()
    assert case[:2] == ("7a", "case-study") and case[3] == hashlib.sha256(data).hexdigest()
    assert case[4] == len(data) and case[6] == data
    assert kept["LA G&T plan 2026-27"][5] == 1 and kept["Able pupils data pack"][5] == 0
    assert levels[:8] == [("7a", "good"), ("7b", "good"), ("7c", "outstanding"), ("7d", "good"),
                          ("7e", "adequate"), ("7f", "good"), ("7g", "adequate"), ("7h", "outstanding")]


def test_the_self_evaluation_note_speaks_the_standards_words(visits) -> None:
    text = _text(visits["se_note"])
    assert "LAQS self-evaluation" in text and "Contributory levels" in text
    assert "Dimension" in text and "LA's own level" in text
    assert "Contributory ratings" not in text and "critical criteria" not in text
    assert "Nothing recorded against the criteria" not in text
    for line in ("Good (agreed)", "Outstanding (agreed)", "Adequate (agreed)"):
        assert line in text
    # all eight judged: the LA's overall level by the pack's roll-up, which lets one dimension sit a level below:
    # two at adequate (7e, 7g) hold the LA at adequate, though six are good or better
    assert ("Group 7: Dimensions of LA activity to improve G&T education. LA-wide: Adequate (8 of 8 dimension "
            "levels); Overall: Adequate (8 of 8 dimension levels)") in text
    assert "Rolled up from the year's levels" in text
    # documents: the two shared, with their hash; the private one counted, never named
    plan = hashlib.sha256(visits["files"]["gt-plan.txt"].encode()).hexdigest()[:12]
    assert f"LA G&T plan 2026-27 (LA plans; gt-plan.txt, SHA-256 {plan}…)" in text
    assert "Case study: the Saturday masterclasses (Mini case studies;" in text
    assert "Able pupils data pack" not in text and "able-pupils.txt" not in text
    assert "1 more kept by the adviser and not shared." in text
    assert "Agree a G&T strand with the educational psychology service" in text


def test_the_peer_review_sets_the_reviewers_levels_beside_the_las_own(visits) -> None:
    out = visits["pr"].stdout
    assert "✓ LA self-evaluation for 7a LA: outstanding" in out
    assert "7a LA-wide: judged Good" in out and "LA says Outstanding  ← disagreement" in out
    text = _text(visits["pr_note"])
    assert "LAQS peer review" in text and "Kim Patel (G&T lead, Other Shire (reviewing LA))" in text
    assert "Peer review of Any Borough's G&T provision by Other Shire" in text
    # the reviewers' level beside the LA's own, disagreements shown
    assert "Good (agreed)" in text and "Outstanding" in text
    assert "Outstanding (differs)" in text  # 7a: the LA's own level beside the reviewers' Good
    # the evidence given with the level is kept as a note and shown as its basis
    assert "Network minutes show every G&T lead teacher trained" in text
    # the flagged answer about an individual never reaches the note
    assert "not up to the role" not in text
    # the self-evaluation's actions are followed up
    assert "Actions agreed at the last visit (LAQS self-evaluation, 5 October 2026)" in text
    # the document kept at the review is private: counted, not named
    assert "Educational psychology G&T policy" not in text
    # 7d, 7f, 7g, 7h not judged again: their levels still rest on the self-evaluation
    assert "Dimension" in text and "Contributory levels" in text


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                            "apt-get install -y libreoffice-writer-nogui")
def test_both_notes_open_in_libreoffice(visits, tmp_path) -> None:
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    notes = [visits["se_note"], visits["pr_note"]]
    try:
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                               "pdf", "--outdir", str(tmp_path), *map(str, notes)], capture_output=True, text=True,
                              timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    pdfs = [tmp_path / f"{n.stem}.pdf" for n in notes]
    for pdf in pdfs:
        assert pdf.exists(), f"LibreOffice wrote no {pdf.name}"
        assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        se = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True, text=True).stdout
        assert "Contributory levels" in se and "LA's own level" in se
        assert "8 of 8 dimension levels" in " ".join(se.split())
        pr = subprocess.run(["pdftotext", "-layout", str(pdfs[1]), "-"], capture_output=True, text=True).stdout
        assert "LAQS peer review" in pr and "not up to the role" not in pr
    keep = os.environ.get("LAQS_KEEP_PDF")  # a folder to keep the PDFs in, to look at their pages
    if keep:
        for pdf in pdfs:
            shutil.copy(pdf, Path(keep) / pdf.name)


# --- the README's section runs as written -------------------------------------------------------------------------


def test_the_readme_section_runs_as_written(tmp_path: Path) -> None:
    """Every example of the README's section on the G&T standard and spreadsheets, in order, in a folder laid out
    like a fresh checkout after the set-up commands; each exits 0 and leaves what it says."""
    from test_readme import VENV, shell_blocks, without_comment

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## The G&T quality standard, and frameworks in a spreadsheet")
    section = readme[start:readme.index("\n## ", start + 1)]
    (tmp_path / ".venv").symlink_to(VENV)
    shutil.copytree(ROOT / "interviews", tmp_path / "interviews")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    env = {k: v for k, v in os.environ.items() if k not in ("LAQS_STORE", "LAQS_PACKS")}
    env["LAQS_CONFIG"] = str(tmp_path / "settings.toml")
    ran = []
    for block in shell_blocks(section):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line:
                continue
            cmd = line if line.startswith("printf") else without_comment(line)
            proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, env=env, capture_output=True, text=True,
                                  timeout=300, stdin=subprocess.DEVNULL if not line.startswith("printf") else None)
            assert proc.returncode == 0, f"{line}\nexit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            ran.append(proc.stdout)
    assert len(ran) == 8
    assert "✓ 7a judged Good" in ran[1] and "private until /share" in ran[1]
    assert "disagreement" in ran[3]
    assert "good=" in ran[4] and "adequate=" in ran[4]
    notes = list((tmp_path / "notes").glob("any-borough-*.docx"))
    assert len(notes) == 1 and "LA G&T plan 2026-27 (LA plans; gt-plan.txt" in _text(notes[0])
    assert (tmp_path / "ns2009.xlsx").is_file()
    assert same_pack(load_pack(tmp_path / "my-packs" / "gt-laqs"), load_pack(GT))
