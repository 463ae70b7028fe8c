"""Judged levels and documents as evidence, rule by rule: what the loader allows a judged pack and refuses any
other, what /level and /doc accept and refuse (one line each), and how documents are kept, found and shared."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from laqs_assist.app import slash
from laqs_assist.app.service import Service
from laqs_assist.errors import PackError, UsageError
from laqs_assist.packs.loader import load_pack
from laqs_assist.paths import default_pack_path
from laqs_assist.store import Store

ROOT = Path(__file__).resolve().parent.parent
GT = ROOT / "interviews" / "gt-laqs"


def copy_pack(tmp_path: Path, src: Path = GT) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --- the loader ----------------------------------------------------------------------------------------------------


def test_a_columns_pack_still_needs_criteria_for_every_column(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path, default_pack_path())
    edit(pack / "pack.yaml", "  method: columns", "  method: judged")
    assert load_pack(pack).judged  # a judged pack may keep criteria as guidance
    edit(pack / "pack.yaml", "  method: judged", "  method: columns")
    text = (pack / "aspects" / "1.1.yaml").read_text()
    (pack / "aspects" / "1.1.yaml").write_text(text[:text.index("criteria:")])
    with pytest.raises(PackError, match="missing required field 'criteria'"):
        load_pack(pack)


def test_a_judged_pack_needs_no_side_but_a_columns_pack_does(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    loaded = load_pack(pack)
    assert all(c.side == "upper" for c in loaded.columns)
    edit(pack / "pack.yaml", "  method: judged", "  method: columns")
    with pytest.raises(PackError, match=r"pack.yaml:\d+: missing required field 'side'"):
        load_pack(pack)


@pytest.mark.parametrize("old,new,says", [
    ("    - {id: la-plan, label: LA plans}", "    - {id: la-plan, label: LA plans}\n    - {id: la-plan, label: Again}",
     "duplicate document kind 'la-plan'"),
    ("    - {id: la-plan, label: LA plans}", "    - {id: la plan, label: LA plans}", "has U+0020 SPACE"),
    ("  rating: level", "  rating: level\n  colour: blue", "unknown field 'colour' in 'terms'"),
    ("  title: the LAQS resource base", "  title: the LAQS resource base\n  shelves: 3",
     "unknown field 'shelves' in 'documents'"),
    ("  method: judged", "  method: judged\n  scale: 3", "unknown field 'scale' in 'rating'"),
])
def test_a_wrong_judged_declaration_is_one_line(tmp_path: Path, old: str, new: str, says: str) -> None:
    pack = copy_pack(tmp_path)
    edit(pack / "pack.yaml", old, new)
    with pytest.raises(PackError, match=r"gt-laqs/pack.yaml:\d+") as err:
        load_pack(pack)
    assert says in err.value.line() and "\n" not in err.value.line()


# --- /level and /doc ---------------------------------------------------------------------------------------------------


def test_the_commands_parse_as_typed() -> None:
    assert slash.parse("/level 7a good").args == {"aspect": "7a", "level": "good", "evidence": ""}
    assert slash.parse("/level Good | the plan shows it").args == {"aspect": None, "level": "Good",
                                                                   "evidence": "the plan shows it"}
    assert slash.parse("/doc 7f la-plan plans/my plan.pdf | Plan 2026").args == {
        "aspect": "7f", "kind": "la-plan", "path": "plans/my plan.pdf", "title": "Plan 2026"}
    assert slash.parse("/share 2").args == {"ref": "2"}
    for bad, says in (("/level", "give the aspect and its level"), ("/level 7a good more", "give the aspect"),
                      ("/doc 7a la-plan", "give the aspect, the kind and the file")):
        with pytest.raises(UsageError, match=says):
            slash.parse(bad)
    assert "/level ASPECT LEVEL" in slash.HELP and "/doc ASPECT KIND FILE" in slash.HELP


@pytest.fixture()
def gt_service(tmp_path: Path):
    pack = load_pack(GT)
    svc = Service(Store(tmp_path / "laqs.db"), pack)
    svc.start(Service.visit_form(pack, organisation="Any Borough"))
    yield svc
    svc.close()


def test_a_level_needs_evidence_and_a_level_the_pack_has(gt_service: Service) -> None:
    with pytest.raises(UsageError, match="7a: nothing recorded on it at this visit; a level is judged on evidence"):
        gt_service.judge_level("good", "7a")
    with pytest.raises(UsageError, match=r"'excellent' is not a level of .* \(use outstanding, good, adequate\)"):
        gt_service.judge_level("excellent", "7a")
    gt_service.answer("Attainment of G&T pupils rose")
    [r] = gt_service.judge_level("Good")  # the current question's dimension; the label as typed
    assert (r.aspect, r.suggestion) == ("7a", "good")
    [r] = gt_service.judge_level("adequate", "7b", "The IQS audit shows half the schools at entry level")
    assert r.suggestion == "adequate"
    said = [x["text"] for x in gt_service.store.responses(gt_service.id) if x["aspect_id"] == "7b"]
    assert said == ["The IQS audit shows half the schools at entry level"]
    [r] = gt_service.judge_level("outstanding", "7a")  # judged again: the latest stands
    assert r.suggestion == "outstanding"


def test_a_pack_rated_from_criteria_refuses_a_level(tmp_path: Path) -> None:
    pack = load_pack(default_pack_path())
    with Service(Store(tmp_path / "laqs.db"), pack) as svc:
        svc.start(Service.visit_form(pack, organisation="Any Borough", phases=["P"]))
        svc.answer("Reports go to the risk register")
        with pytest.raises(UsageError, match="rates each aspect from its criteria"):
            svc.judge_level("G", "2.4")
        with pytest.raises(UsageError, match="names no kinds of document"):
            svc.attach_document("2.4", "la-plan", str(tmp_path / "laqs.db"))


def test_documents_are_kept_with_their_hash_once_and_private_until_shared(gt_service: Service,
                                                                           tmp_path: Path) -> None:
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF-1.4 G&T plan")
    doc, new = gt_service.attach_document("7f", "LA plans", str(plan), "  G&T   plan ")
    assert new and doc["kind"] == "la-plan" and doc["title"] == "G&T plan"
    assert doc["sha256"] == hashlib.sha256(b"%PDF-1.4 G&T plan").hexdigest() and doc["size"] == 17
    assert doc["media_type"] == "application/pdf" and doc["shared"] == 0 and "content" not in doc
    again, new = gt_service.attach_document("7f", "la-plan", str(plan))
    assert not new and again["id"] == doc["id"]  # the same bytes on the same dimension: one document
    other, new = gt_service.attach_document("7a", "la-plan", str(plan))
    assert new and other["id"] != doc["id"]
    store = gt_service.store
    assert store.document_content(doc["id"]) == b"%PDF-1.4 G&T plan"
    assert store.documents(visit_id=gt_service.id, shared_only=True) == []
    shared = gt_service.share_document("1")
    assert shared["id"] == doc["id"]
    assert [d["id"] for d in store.documents(visit_id=gt_service.id, shared_only=True)] == [doc["id"]]
    gt_service.share_document(doc["id"][:8], shared=False)
    assert store.documents(organisation_id=gt_service.visit["organisation_id"], shared_only=True) == []
    # a document is evidence enough for a level
    [r] = gt_service.judge_level("good", "7f")
    assert r.suggestion == "good"


@pytest.mark.parametrize("kind,path,says", [
    ("scrapbook", "plan.txt", "'scrapbook' is not a kind of document in the LAQS resource base (use case-study,"),
    ("la-plan", "missing.txt", "missing.txt: no such file"),
    ("la-plan", ".", ": not a file"),
    ("la-plan", "empty.txt", "empty.txt: the file is empty"),
])
def test_a_document_that_cannot_be_kept_is_one_line(gt_service: Service, tmp_path: Path, kind: str, path: str,
                                                    says: str) -> None:
    (tmp_path / "plan.txt").write_text("plan")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(UsageError) as err:
        gt_service.attach_document("7a", kind, str(tmp_path / path))
    assert says in err.value.line() and "\n" not in err.value.line()
    assert gt_service.store.documents(visit_id=gt_service.id) == []


def test_sharing_names_a_document_of_this_visit(gt_service: Service) -> None:
    with pytest.raises(UsageError, match="no document '3' at this visit"):
        gt_service.share_document("3")
    with pytest.raises(UsageError, match="which document"):
        gt_service.share_document("")
