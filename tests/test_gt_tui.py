"""The app runs a G&T self-evaluation: a framework with three levels, no criteria and a judged level shows its
interview, takes /level and /doc in the answer box, and opens its review, without special cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui import screen_name, send
from test_tui_helpers import SIZE, settle, wait_for

from laqs_assist.packs.loader import load_pack
from laqs_assist.session import Session
from laqs_assist.store import Store

pytestmark = pytest.mark.asyncio

GT = Path(__file__).resolve().parent.parent / "interviews" / "gt-laqs"


async def test_a_gt_visit_in_the_app(tmp_path: Path) -> None:
    from laqs_assist.tui.app import LaqsApp

    pack = load_pack(GT)
    db = tmp_path / "laqs.db"
    (tmp_path / "plan.txt").write_text("G&T plan\n")
    with Store(db) as store:
        s = Session.start(store, pack, agenda_id="self-evaluation", organisation="Any Borough", day="2026-11-22")
        vid = s.id
    app = LaqsApp(GT, db, pack=pack, resume=vid, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "InterviewScreen", what="interview")
        await send(pilot, "Attainment of G&T pupils rose for the third year")
        await send(pilot, f"/doc 7a la-plan {tmp_path / 'plan.txt'} | G&T plan")
        await send(pilot, "/level 7a good")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        row = next(r for r in app.screen.data.rows if r["aspect"] == "7a")
        assert row["rating"].suggestion == "good"
        assert row["rating"].reason == "Good: judged by the adviser on the evidence recorded"
    with Store(db) as store:
        levels = [(j["target"], j["state"]) for j in store.visit_judgements(vid) if j["kind"] == "level"]
        docs = store.documents(visit_id=vid)
    assert levels == [("7a", "good")]
    assert [(d["aspect_id"], d["kind"], d["title"], d["shared"]) for d in docs] == [("7a", "la-plan", "G&T plan", 0)]
