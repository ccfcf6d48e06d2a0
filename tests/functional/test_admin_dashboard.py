"""`/__admin/dashboard`: the page and its JSON, over HTTP against a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.admin import dashboard
from tests.conftest import Client, start_server


def user_stub(client: Client) -> str:
    return client.stub({"name": "get-user", "request": {"method": "GET", "urlPath": "/users/1"},
                        "response": {"status": 200, "jsonBody": {"id": 1}}})


def journal(client: Client, **params: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    reply = client.get(f"/__admin/dashboard/journal?{query}")
    assert reply.status == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def test_page_and_assets_are_served_self_contained(client: Client) -> None:
    """The page, its script and styles come from the server with a strict CSP, and name
    nothing outside it (no CDN, no web fonts)."""
    page = client.get("/__admin/dashboard")
    assert page.status == 200
    assert page.header("Content-Type") == "text/html; charset=utf-8"
    assert "script-src 'self'" in (page.header("Content-Security-Policy") or "")
    for name, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        asset = client.get(f"/__admin/dashboard/static/{name}")
        assert (asset.status, asset.header("Content-Type")) == (200, f"{kind}; charset=utf-8")
        assert "http://" not in asset.text and "https://" not in asset.text
    assert "http" not in page.text.replace('http-equiv', '')
    script = client.get("/__admin/dashboard/static/dashboard.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script  # request data is hostile: text nodes only


def test_unknown_asset_is_a_404_naming_it(client: Client) -> None:
    """Only the dashboard's own files are served: anything else is a 404 naming the file."""
    reply = client.get("/__admin/dashboard/static/..%2f..%2fpyproject.toml")
    assert reply.status == 404
    assert "no dashboard file" in reply.json()["errors"][0]["title"]


def test_trailing_slash_redirects_to_the_page(client: Client) -> None:
    """`/__admin/dashboard/` sends the browser to `/__admin/dashboard`, where its URLs resolve."""
    reply = client.get("/__admin/dashboard/")
    assert reply.status == 302
    assert reply.header("Location") == "../dashboard"


def test_journal_rows_name_the_stub_or_the_nearest_miss(client: Client) -> None:
    """A matched row names its stub; an unmatched one names the nearest stub and what differed."""
    stub_id = user_stub(client)
    client.get("/users/1")
    client.get("/users/2")
    rows = journal(client)["entries"]
    assert [(r["method"], r["url"], r["status"]) for r in rows] == [
        ("GET", "/users/2", 404), ("GET", "/users/1", 200)]
    assert rows[1]["stub"] == {"id": stub_id, "name": "get-user"}
    assert rows[0]["stub"] is None
    near = rows[0]["nearMiss"]
    assert near["stub"] == {"id": stub_id, "name": "get-user"}
    assert [d["section"] for d in near["differences"]] == ["url"]
    assert rows[0]["subEvents"] == ["REQUEST_NOT_MATCHED"]


def test_polling_cursor_returns_only_new_rows(client: Client) -> None:
    """`after=<newest id shown>` returns only the requests made since, and nothing when idle."""
    client.get("/a")
    newest = journal(client)["entries"][0]["id"]
    assert journal(client, after=newest)["entries"] == []
    client.get("/b")
    page = journal(client, after=newest)
    assert ([r["url"] for r in page["entries"]], page["reset"]) == (["/b"], False)


def test_paging_back_covers_the_journal_once(client: Client) -> None:
    """Paging with `before` visits every entry exactly once, each answer bounded by `limit`."""
    for i in range(12):
        client.get(f"/p/{i}")
    seen: list[str] = []
    page = journal(client, limit="5")
    while True:
        assert len(page["entries"]) <= 5
        seen.extend(r["url"] for r in page["entries"])
        if not page["hasOlder"]:
            break
        page = journal(client, limit="5", before=page["entries"][-1]["id"])
    assert seen == [f"/p/{i}" for i in range(11, -1, -1)]
    assert page["total"] == 12


def test_a_cleared_journal_makes_the_page_start_over(client: Client) -> None:
    """After the journal is reset, the old cursor is unknown and the answer says start over."""
    client.get("/a")
    newest = journal(client)["entries"][0]["id"]
    client.request("DELETE", "/__admin/requests")
    client.get("/b")
    page = journal(client, after=newest)
    assert page["reset"] is True
    assert [r["url"] for r in page["entries"]] == ["/b"]


def test_bad_paging_parameters_are_4xx(client: Client) -> None:
    """A non-numeric limit or both cursors at once are 400s naming the parameter."""
    assert client.get("/__admin/dashboard/journal?limit=many").status == 400
    reply = client.get("/__admin/dashboard/journal?after=x&before=y")
    assert reply.status == 400
    assert "either after or before" in reply.json()["errors"][0]["title"]


def test_entry_detail_has_request_response_and_near_misses(client: Client) -> None:
    """An unmatched entry's detail carries the request, the 404, the nearest stubs with what
    differed, and the 404 report as a sub-event."""
    user_stub(client)
    client.post("/users/1?x=1", json_body={"name": "ann"}, headers={"X-Trace": "t1"})
    entry_id = journal(client)["entries"][0]["id"]
    detail = client.get(f"/__admin/dashboard/journal/{entry_id}").json()
    assert detail["request"]["method"] == "POST"
    assert ["X-Trace", "t1"] in detail["request"]["headers"]
    assert detail["request"]["body"] == '{"name": "ann"}'
    assert detail["response"]["status"] == 404
    assert detail["nearMisses"][0]["stub"]["name"] == "get-user"
    assert "method" in [d["section"] for d in detail["nearMisses"][0]["differences"]]
    assert detail["subEvents"][0]["type"] == "REQUEST_NOT_MATCHED"


def test_near_miss_names_a_scenario_in_the_wrong_state(client: Client) -> None:
    """A stub that only waits for another scenario state is listed with the scenario as what
    differed, as the 404 report does."""
    client.stub({"name": "paid", "scenarioName": "checkout", "requiredScenarioState": "paid",
                 "request": {"method": "GET", "url": "/receipt"}})
    client.get("/receipt")
    near = journal(client)["entries"][0]["nearMiss"]
    assert near["differences"] == [{"section": "scenario", "key": "checkout",
                                    "reason": "needs state paid, is in Started"}]


def test_unknown_entry_is_a_404(client: Client) -> None:
    """Asking for an entry the journal does not hold is a 404 saying it is gone."""
    reply = client.get("/__admin/dashboard/journal/nope")
    assert reply.status == 404
    assert "deleted or evicted" in reply.json()["errors"][0]["title"]


def test_copy_as_stub_yaml_matches_the_request_it_came_from(client: Client) -> None:
    """The YAML offered for an unmatched request, added as a stub, matches that request; its
    secrets become wildcards."""
    client.post("/orders?page=2", json_body={"item": "book"},
                headers={"Authorization": "Bearer s3cret-token"})
    entry_id = journal(client)["entries"][0]["id"]
    reply = client.get(f"/__admin/dashboard/journal/{entry_id}/stub.yaml")
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/yaml; charset=utf-8"
    assert "s3cret" not in reply.text
    stub = yaml.safe_load(reply.text)
    assert stub["request"]["urlPath"] == "/orders"
    client.stub(stub)
    again = client.post("/orders?page=2", json_body={"item": "book"})
    assert again.status == 200


def test_stubs_list_hit_counts_from_the_journal(client: Client) -> None:
    """Each stub is listed with its name, id, URL and how many journalled requests it served."""
    stub_id = user_stub(client)
    other = client.stub({"request": {"method": "POST", "url": "/x"}})
    for _ in range(3):
        client.get("/users/1")
    listed = {s["id"]: s for s in client.get("/__admin/dashboard/stubs").json()["stubs"]}
    assert listed[stub_id] == {"id": stub_id, "name": "get-user", "method": "GET",
                               "url": "/users/1", "urlKind": "urlPath", "scenario": None,
                               "hits": 3}
    assert listed[other]["hits"] == 0
    assert listed[other]["name"] is None


def test_rows_past_the_grading_budget_are_pending_then_answered(
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unmatched rows the answer had no grading budget for come back pending, and the
    near-misses endpoint grades them in later answers, each within the budget."""
    monkeypatch.setattr(dashboard, "GRADING_BUDGET", 1)
    user_stub(client)
    for i in range(3):
        client.get(f"/users/x{i}")
    rows = journal(client)["entries"]
    assert "nearMiss" in rows[0] and "nearMissPending" not in rows[0]
    assert [r.get("nearMissPending") for r in rows[1:]] == [True, True]
    ids = ",".join(r["id"] for r in rows[1:])
    first = client.get(f"/__admin/dashboard/near-misses?ids={ids}").json()
    assert first["pending"] == [rows[2]["id"]]
    assert first["nearMisses"][rows[1]["id"]]["stub"]["name"] == "get-user"
    second = client.get(f"/__admin/dashboard/near-misses?ids={rows[2]['id']},gone").json()
    assert (second["pending"], second["nearMisses"]["gone"]) == ([], None)


def test_sub_events_are_named_on_the_row_and_shown_in_full(client: Client) -> None:
    """A request's sub-events (here chaos injected by failFirst) are listed on its row by type
    and given in full in its detail."""
    client.stub({"name": "flaky", "request": {"url": "/flaky"},
                 "response": {"status": 200, "chaos": {"failFirst": 1}}})
    client.get("/flaky")
    row = journal(client)["entries"][0]
    assert row["subEvents"] == ["CHAOS"]
    detail = client.get(f"/__admin/dashboard/journal/{row['id']}").json()
    assert detail["subEvents"] == [{"type": "CHAOS", "data": {"reason": "failFirst 1/1"}}]


def test_a_disabled_journal_is_reported_not_hidden(tmp_path: Path) -> None:
    """With --no-request-journal the journal answer is empty and says the journal is off."""
    runner = start_server(tmp_path / "root", request_journal=False)
    try:
        client = Client(runner.port)
        client.get("/anything")
        page = journal(client)
        assert (page["entries"], page["journalEnabled"]) == ([], False)
    finally:
        runner.stop()
