"""A scripted two-day Leadership and Learning Quality Review of one school by a team of two, in real `laqs`
processes: stage 1, the day plan, the interviews and the evidence in line mode from script files, collation at the
end of each day, the report's words, the rich priorities, and the report opened in LibreOffice.

LibreOffice can exit 0 without writing the PDF, so the PDF itself is checked (skipped only when soffice is not
installed: `apt-get install -y libreoffice-writer-nogui`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

LAQS = [sys.executable, "-m", "laqs_assist"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

INTERVIEWS_ANN = """\
Mrs Khan (deputy head) and Mr Dale (assessment lead)
- Marking gives pupils clear next steps, and pupils act on them
- Teachers use assessment in lessons to adjust teaching
> the school's marking policy was rewritten in 2025
- Pupils know their targets in reading, writing and maths

Ms Patel (curriculum lead)
- The curriculum builds knowledge in a planned sequence
- Every subject has a leader who checks its quality
"""

INTERVIEWS_RAJ = """\
Mrs Jones (headteacher)
- Lessons are purposeful and pupils are engaged
- Teachers' questioning deepens pupils' thinking

Mrs Jones (headteacher) and the Chair of Governors
- Leaders at every level evaluate their areas accurately
- Governors challenge leaders using data
- Mr Smith's performance management is overdue
"""

EVIDENCE_DAY1_RAJ = """\
/day 1
/session 6
TL.1 evident Year 3 and Year 5 lessons: pupils on task, clear purpose
TL.2 partly Year 5 questioning probing; Year 2 mostly closed questions
A.2 evident Year 5 teacher regrouped pupils after a hinge question
/session 7
TL.1 evident Year 6 maths lesson purposeful
/individual TL.2 not-evident Mr Brown's Year 2 lesson: closed questions throughout
"""

EVIDENCE_DAY1_ANN = """\
/day 1
/kind pupils
/session 6
A.1 partly Pupils in Year 4 could say their next steps; Year 6 pupils could not
A.3 evident Pupils knew their reading and maths targets
/kind data
/session 7
A.3 partly Targets set for all pupils; writing targets not tracked
LM.2 evident Governors' minutes show questions on the data
"""

EVIDENCE_DAY2_ANN = """\
/day 2
/kind observation
/session 1
A.2 partly Year 1 teacher adapted; Year 4 lesson carried on regardless
TL.1 evident Reception: purposeful play
/kind work-sample
/session 5
A.1 not-evident Year 6 books: next steps written but not acted on
C.1 evident History books show knowledge building across years
"""

EVIDENCE_DAY2_RAJ = """\
/day 2
/kind observation
/session 1
TL.2 evident Year 6 questioning deepened reasoning
/kind teachers
/session 3
C.2 partly Subject leaders check planning but not pupils' work
LM.1 partly Middle leaders' evaluations are generous
/kind work-sample
/session 5
A.1 partly Year 4 books: pupils respond to marking
C.1 evident Geography books build map skills
"""


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "LAQS_STORE": str(tmp_path / "review.db"), "LAQS_CACHE": str(tmp_path / "cache")}


def laqs(args: list[str], env: dict[str, str], script: str | None = None, tmp: Path | None = None):
    if script is not None:
        path = tmp / f"script-{uuid.uuid4().hex[:8]}.txt"
        path.write_text(script, encoding="utf-8")
        args = args + ["--file", str(path)]
    out = subprocess.run(LAQS + args, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def run_review(tmp_path: Path, env: dict[str, str]) -> tuple[str, Path]:
    laqs(["review", "start", "Oakfield Primary School", "--reviewer", "Ann Lee", "--reviewer", "Raj Patel",
          "--day", "2026-12-10", "--stages", "1-5", "--subject", "English"], env)
    ref = json.loads(laqs(["review", "list", "--json"], env))[0]["id"]
    laqs(["review", "discuss", ref, "The school wants to know whether its marking policy makes a difference, and "
          "how well subject leaders check quality.", "--on", "2026-11-26", "--with",
          "Mrs Jones (headteacher) and the Chair of Governors", "--subject", "English", "--subject", "History"], env)
    # Day 1, sessions 1-2: each reviewer's interviews, as the day plan gives them
    out = laqs(["review", "interview", ref, "--reviewer", "Ann"], env, INTERVIEWS_ANN, tmp_path)
    assert "Recorded Assessment: standards A.1, A.2, A.3" in out and "Recorded Curriculum: standards C.1, C.2" in out
    out = laqs(["review", "interview", ref, "--reviewer", "Raj"], env, INTERVIEWS_RAJ, tmp_path)
    assert "Recorded Teaching and Learning: standards TL.1, TL.2" in out
    # A standard that names an individual is taken out of the school's framework.
    laqs(["review", "standard", ref, "LM.3", "--withdraw"], env)
    # Day 1 sessions 3-4: the improvement plan
    laqs(["review", "evidence", ref, "--reviewer", "Ann", "--kind", "planning", "--day", "1", "--session", "3",
          "A.1", "partly", "The plan names marking but has no measure of pupils acting on it"], env)
    laqs(["review", "collate", ref, "--day", "1", "--session", "5"], env)
    laqs(["review", "evidence", ref, "--reviewer", "Raj"], env, EVIDENCE_DAY1_RAJ, tmp_path)
    laqs(["review", "evidence", ref, "--reviewer", "Ann"], env, EVIDENCE_DAY1_ANN, tmp_path)
    laqs(["review", "evidence", ref, "--reviewer", "Ann"], env, EVIDENCE_DAY2_ANN, tmp_path)
    laqs(["review", "evidence", ref, "--reviewer", "Raj"], env, EVIDENCE_DAY2_RAJ, tmp_path)
    laqs(["review", "collate", ref, "--day", "2", "--session", "6", "--agree", "A.1=partly"], env)
    for kind, text, area in [
        ("feedback", "Initial verbal feedback given to the headteacher and the Chair of Governors.", None),
        ("leadership", "Leaders have set out clear standards for marking and pupils' response; they check it "
                       "through book looks but do not yet measure its impact.", "A"),
        ("leadership", "Subject leadership is developing: leaders check planning, not yet outcomes.", "C"),
        ("leadership", "The headteacher and governors share an accurate view of teaching.", "LM"),
        ("judgement", "Teaching is purposeful across the school; questioning is strongest in upper Key Stage 2.",
         None),
        ("judgement", "The marking policy is followed but pupils act on next steps in some classes only.", None),
        ("recommendation", "Build time for pupils to respond to marking into every lesson sequence.", None),
        ("recommendation", "Extend subject leaders' checks from planning to pupils' work.", None),
        ("question", "How will leaders know that pupils act on their next steps?", None),
        ("point", "Consider whether middle leaders' evaluations are moderated against the senior team's.", None),
    ]:
        laqs(["review", "note", ref, kind, text] + (["--area", area] if area else []), env)
    laqs(["review", "priority", ref, "Pupils in every class act on their next steps", "--owner",
          "Mrs Khan (deputy head)", "--due", "2027-03-31", "--area", "A", "--support",
          "A Specialist Leader of Education for assessment"], env)
    laqs(["review", "priority", ref, "Subject leaders evaluate pupils' work in their subjects", "--owner",
          "Ms Patel (curriculum lead)", "--due", "2027-07-16", "--area", "C"], env)
    out_path = tmp_path / "report" / "oakfield-llqr.docx"
    laqs(["review", "report", ref, "--out", str(out_path)], env)
    return ref, out_path


def test_a_scripted_two_day_review_records_and_pools_every_reviewers_evidence(tmp_path: Path, env) -> None:
    ref, report = run_review(tmp_path, env)
    assert report.exists()
    findings = {s["code"]: s for s in json.loads(laqs(["review", "findings", ref, "--json"], env))}
    assert list(findings) == ["A.1", "A.2", "A.3", "C.1", "C.2", "TL.1", "TL.2", "LM.1", "LM.2"]
    assert findings["A.1"]["counts"] == {"evident": 0, "partly": 3, "not-evident": 1}
    assert findings["A.1"]["agreed"] == "partly" and findings["C.1"]["agreed"] == "evident"
    assert findings["TL.2"]["by_reviewer"] == {"2": 3}  # the flagged observation is kept, and counted here
    assert all(s["pooled"] == sum(s["counts"].values()) for s in findings.values())
    shown = json.loads(laqs(["review", "show", ref, "--json"], env))
    assert shown["cost_days"] == 8.0 and shown["subjects"] == ["English", "History"]
    assert shown["discussed_with"] == "Mrs Jones (headteacher) and the Chair of Governors"
    shown = laqs(["review", "show", ref], env)
    assert "stage 3 (analysis of the review and discussion): ideally by 2026-12-18, within 7 days" in shown
    standards = laqs(["review", "standards", ref], env)
    assert "Mr Smith" not in standards and "LM.2   Governors challenge leaders using data" in standards


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                            "apt-get install -y libreoffice-writer-nogui")
def test_the_scripted_reviews_report_opens_in_libreoffice(tmp_path: Path, env) -> None:
    _, report = run_review(tmp_path, env)
    profile = Path("/tmp") / f"lo-{uuid.uuid4().hex}"
    try:
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                               "pdf", "--outdir", str(tmp_path / "pdf"), str(report)], capture_output=True, text=True,
                              timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "pdf" / "oakfield-llqr.pdf"
    assert pdf.exists(), "LibreOffice wrote no PDF"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
        for words in ("Leadership and Learning Quality Review", "Oakfield Primary School", "10 to 11 December 2026",
                      "The school's view of quality", "Marking gives pupils clear next steps",
                      "The effectiveness of leadership in establishing and developing this",
                      "The extent to which this is evident", "Judgements and recommendations",
                      "Questions and points for consideration", "Rich priorities", "Mrs Khan (deputy head)",
                      "8 days"):
            assert words in text, words
        assert "Mr Brown" not in text and "Mr Smith" not in text
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
        pages = sorted(tmp_path.glob("page-*.png"))
        assert 3 <= len(pages) <= 8, len(pages)
        keep = os.environ.get("LAQS_KEEP_PAGES")
        if keep:  # to look at the pages: LAQS_KEEP_PAGES=/some/folder
            Path(keep).mkdir(parents=True, exist_ok=True)
            for p in pages + [pdf, report]:
                shutil.copy(p, Path(keep) / p.name)
