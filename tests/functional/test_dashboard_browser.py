"""The dashboard in a real headless Chromium: what the mock saw, live, without a reload."""

from __future__ import annotations

import asyncio
import json

import pytest

from mockserver.admin import dashboard
from tests.browser import CHROMIUM, Chromium
from tests.conftest import Client

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs it where apt exists)")

ROWS = "document.querySelectorAll('#journal-rows tr')"


def column(selector: str, cell: str) -> str:
    """JavaScript listing the text of `cell` in each row matched by `selector`."""
    return (f"[...document.querySelectorAll({json.dumps(selector)})]"
            f".map(r => r.querySelector({json.dumps(cell)})?.textContent ?? null)")


def stubs_and_traffic(client: Client) -> None:
    client.stub({"name": "get-user", "request": {"method": "GET", "urlPath": "/users/1"},
                 "response": {"status": 200, "jsonBody": {"id": 1}}})
    client.stub({"name": "pay", "scenarioName": "checkout", "requiredScenarioState": "Started",
                 "newScenarioState": "paid", "request": {"method": "POST", "url": "/pay"},
                 "response": {"status": 204}})
    client.get("/users/1")
    client.get("/users/2")
    client.post("/pay")


def test_dashboard_shows_journal_near_miss_stubs_scenarios_and_new_requests_live(
    client: Client,
) -> None:
    """The page lists URLs, stub names, the near miss and a scenario's state, then shows a new
    request without a reload."""
    stubs_and_traffic(client)

    async def drive() -> None:
        async with Chromium() as browser:
            await browser.navigate(f"{client.base}/__admin/dashboard")
            await browser.wait_for(f"{ROWS}.length === 3")
            assert await browser.evaluate(column("#journal-rows tr", ".url")) == [
                "/pay", "/users/2", "/users/1"]
            stub_cells = await browser.evaluate(column("#journal-rows tr", ".stub"))
            assert stub_cells[0] == "pay" and stub_cells[2] == "get-user"
            assert stub_cells[1].startswith("unmatched")
            near = await browser.evaluate(column("#journal-rows tr", ".near-miss"))
            assert near[1] == "nearest: get-user — differs in url"
            await browser.wait_for("document.querySelectorAll('#scenarios tr').length === 1")
            assert await browser.evaluate(column("#scenarios tr", ".scenario-state")) == ["paid"]
            hits = dict(zip(await browser.evaluate(column("#stubs tr", ".stub-name")),
                            await browser.evaluate(column("#stubs tr", ".hits")), strict=True))
            assert hits == {"get-user": "1", "pay": "1"}

            await browser.evaluate("window.sameDocument = true")
            await asyncio.to_thread(client.get, "/arrived/later")
            await browser.wait_for(f"{ROWS}.length === 4")
            assert await browser.evaluate(column("#journal-rows tr", ".url")) == [
                "/arrived/later", "/pay", "/users/2", "/users/1"]
            assert await browser.evaluate("window.sameDocument") is True  # no reload
            assert browser.console == []

    asyncio.run(drive())


def test_clicking_an_unmatched_request_shows_it_and_offers_a_stub(
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Clicking an unmatched row shows the request, the response, the nearest stubs and a
    YAML stub; hostile request data shows as text; near misses past one answer's grading
    budget fill in; a scenario's reset button resets it."""
    monkeypatch.setattr(dashboard, "GRADING_BUDGET", 1)  # one near miss per answer
    stubs_and_traffic(client)
    hostile = "/users/%3Cimg%20src=x%20onerror=alert(1)%3E?q=<b>bold</b>"
    client.get(hostile, headers={"X-Evil": "<script>window.pwned = 1</script>"})

    async def drive() -> None:
        async with Chromium() as browser:
            await browser.navigate(f"{client.base}/__admin/dashboard")
            await browser.wait_for(f"{ROWS}.length === 4")
            assert await browser.evaluate(
                "document.querySelectorAll('#journal-rows img, #journal-rows b').length") == 0
            assert (await browser.evaluate(column("#journal-rows tr", ".url")))[0] == hostile
            await browser.wait_for("!document.querySelector('#journal-rows tr[data-pending]')")
            near = await browser.evaluate(column("#journal-rows tr", ".near-miss"))
            assert near[0].startswith("nearest: get-user") and near[2].startswith("nearest: get")
            await browser.click("#journal-rows tr")
            await browser.wait_for("document.querySelector('#copy-stub') !== null")
            detail = await browser.evaluate("document.getElementById('detail').textContent")
            assert "<script>window.pwned = 1</script>" in detail
            assert await browser.evaluate("window.pwned === undefined") is True
            assert "Nearest stubs" in detail and "get-user" in detail
            assert "Request was not matched" in detail  # the 404 report, a sub-event
            await browser.click("#copy-stub")
            stub_yaml = await browser.wait_for(
                "document.getElementById('stub-yaml')?.textContent")
            assert "urlPath: /users/%3Cimg%20src=x%20onerror=alert(1)%3E" in stub_yaml

            await browser.wait_for(f"{column('#scenarios tr', '.scenario-state')}[0] === 'paid'")
            await browser.click("#scenarios tr button.reset")
            await browser.wait_for(
                f"{column('#scenarios tr', '.scenario-state')}[0] === 'Started'")
            assert browser.console == []

    asyncio.run(drive())


def test_a_long_journal_shows_the_newest_page_and_pages_back(client: Client) -> None:
    """With more requests than a page, the newest 50 show and "Load older" brings the rest."""
    for i in range(60):
        client.get(f"/many/{i}")

    async def drive() -> None:
        async with Chromium() as browser:
            await browser.navigate(f"{client.base}/__admin/dashboard")
            await browser.wait_for(f"{ROWS}.length === 50")
            assert await browser.evaluate("document.getElementById('older').hidden") is False
            urls = await browser.evaluate(column("#journal-rows tr", ".url"))
            assert (urls[0], urls[-1]) == ("/many/59", "/many/10")
            await browser.click("#older")
            await browser.wait_for(f"{ROWS}.length === 60")
            assert (await browser.evaluate(column("#journal-rows tr", ".url")))[-1] == "/many/0"
            assert await browser.evaluate("document.getElementById('older').hidden") is True
            assert browser.console == []

    asyncio.run(drive())


def test_a_namespace_dashboard_shows_its_own_requests_and_the_selector_switches(
    client: Client,
) -> None:
    """At /__ns/a/__admin/dashboard only a's requests show; choosing `default` in the header
    selector moves to the default dashboard, which shows its own."""
    client.get("/__ns/a/only-in-a")
    client.get("/__ns/b/only-in-b")
    client.get("/only-in-default")

    async def drive() -> None:
        async with Chromium() as browser:
            await browser.navigate(f"{client.base}/__ns/a/__admin/dashboard")
            await browser.wait_for(f"{ROWS}.length === 1")
            assert await browser.evaluate(column("#journal-rows tr", ".url")) == ["/only-in-a"]
            await browser.wait_for("document.querySelectorAll('#namespace option').length === 3")
            assert await browser.evaluate(
                "[...document.querySelectorAll('#namespace option')].map(o => o.textContent)"
            ) == ["default", "a", "b"]
            assert await browser.evaluate("document.getElementById('namespace').value") == "a"
            await browser.evaluate(
                "(() => { const s = document.getElementById('namespace'); s.value = '';"
                " s.dispatchEvent(new Event('change')); })()")
            await browser.wait_for("location.pathname === '/__admin/dashboard'")
            await browser.wait_for(f"{ROWS}.length === 1")
            assert await browser.evaluate(column("#journal-rows tr", ".url")) == [
                "/only-in-default"]
            assert browser.console == []

    asyncio.run(drive())
