"""`/__admin/requests` and `/__admin/near-misses`: the journal as WireMock clients read it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server

UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


def journal(client: Client, query: str = "") -> dict[str, Any]:
    reply = client.get(f"/__admin/requests{query}")
    assert reply.status == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def journal_urls(client: Client, query: str = "") -> list[str]:
    return [e["request"]["url"] for e in journal(client, query)["requests"]]


def only_error(reply: Any) -> dict[str, Any]:
    errors = reply.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]  # type: ignore[no-any-return]


@pytest.fixture
def traffic(client: Client) -> dict[str, str]:
    """Two stubs, and four requests: two matched, two not."""
    ids = {
        "one": client.stub({"request": {"method": "GET", "urlPath": "/one"},
                            "response": {"status": 200, "body": "1"},
                            "metadata": {"team": "red"}}),
        "two": client.stub({"request": {"method": "POST", "url": "/two"},
                            "response": {"status": 201, "body": "2"}}),
    }
    client.get("/one")
    client.post("/two", body="hello")
    client.get("/missing")
    client.get("/one/deeper")
    return ids


@pytest.fixture
def make_server(root_dir: Path) -> Iterator[Any]:
    started: list[ThreadedRunner] = []

    def make(**options: Any) -> Client:
        runner = start_server(root_dir, **options)
        started.append(runner)
        return Client(runner.port)

    yield make
    for runner in started:
        runner.stop()


# -- listing -------------------------------------------------------------------------------

def test_list_is_newest_first_and_counts_the_total(client: Client, traffic: dict[str, str]) -> None:
    """GET /requests lists serve events newest first with meta.total and the journal flag."""
    listed = journal(client)
    assert [e["request"]["url"] for e in listed["requests"]] == [
        "/one/deeper", "/missing", "/two", "/one"]
    assert listed["meta"]["total"] == 4
    assert listed["requestJournalDisabled"] is False


def test_a_matched_event_shows_request_response_and_stub(
    client: Client, traffic: dict[str, str]
) -> None:
    """A matched serve event carries the logged request, what was sent and the stub served."""
    event = journal(client, "?limit=4")["requests"][2]
    assert event["wasMatched"] is True
    assert event["request"]["method"] == "POST"
    assert event["request"]["body"] == "hello"
    assert event["request"]["bodyAsBase64"] == "aGVsbG8="
    assert event["request"]["absoluteUrl"] == f"http://127.0.0.1:{client.port}/two"
    assert event["response"]["status"] == 201
    assert event["response"]["body"] == "2"
    assert event["responseDefinition"]["status"] == 201
    assert event["stubMapping"]["id"] == traffic["two"]


def test_an_unmatched_event_records_the_404_and_the_report(
    client: Client, traffic: dict[str, str]
) -> None:
    """An unmatched serve event says so, with WireMock's synthetic definition and sub-event."""
    event = journal(client)["requests"][1]
    assert event["request"]["url"] == "/missing"
    assert event["wasMatched"] is False
    assert event["responseDefinition"] == {"status": 404, "fromConfiguredStub": False}
    assert event["response"]["status"] == 404
    assert [s["type"] for s in event["subEvents"]] == ["REQUEST_NOT_MATCHED"]
    assert "Request was not matched" in event["subEvents"][0]["data"]["report"]


def test_logged_date_string_is_the_same_instant_as_logged_date(
    client: Client, traffic: dict[str, str]
) -> None:
    """loggedDateString and loggedDate name the same millisecond."""
    for event in journal(client)["requests"]:
        stamp = datetime.fromisoformat(event["request"]["loggedDateString"].replace("Z", "+00:00"))
        assert round(stamp.timestamp() * 1000) == event["request"]["loggedDate"]


def test_admin_calls_are_not_journalled(client: Client) -> None:
    """Calls to /__admin never appear in the journal."""
    client.stub({"request": {"url": "/x"}})
    client.get("/__admin/mappings")
    client.get("/x")
    assert journal_urls(client) == ["/x"]


def test_limit_keeps_the_newest_and_total_counts_all(
    client: Client, traffic: dict[str, str]
) -> None:
    """limit keeps the newest N events while meta.total counts the whole filtered journal."""
    listed = journal(client, "?limit=2")
    assert [e["request"]["url"] for e in listed["requests"]] == ["/one/deeper", "/missing"]
    assert listed["meta"]["total"] == 4


def test_since_keeps_events_strictly_after_the_instant(
    client: Client, traffic: dict[str, str]
) -> None:
    """since=<an event's loggedDateString> excludes that event and keeps only later ones."""
    events = journal(client)["requests"]
    pivot = events[2]["request"]
    expected = [e["id"] for e in events if e["request"]["loggedDate"] > pivot["loggedDate"]]
    kept = journal(client, f"?since={pivot['loggedDateString']}")["requests"]
    assert [e["id"] for e in kept] == expected
    assert events[2]["id"] not in expected
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    assert len(journal(client, f"?since={past.replace('+00:00', 'Z')}")["requests"]) == 4
    assert journal(client, f"?since={future.replace('+00:00', 'Z')}")["requests"] == []


def test_a_bad_since_is_400_naming_the_value(client: Client) -> None:
    """A since that is not an ISO-8601 date is a 400 pointing at the parameter."""
    reply = client.get("/__admin/requests?since=yesterday")
    assert reply.status == 400
    assert only_error(reply) == {"code": 10, "source": {"pointer": "since"},
                                 "title": "yesterday is not a valid ISO8601 date"}


def test_unmatched_true_lists_only_unmatched_events(
    client: Client, traffic: dict[str, str]
) -> None:
    """unmatched=true keeps only events no stub answered; total counts those."""
    listed = journal(client, "?unmatched=true")
    assert [e["request"]["url"] for e in listed["requests"]] == ["/one/deeper", "/missing"]
    assert listed["meta"]["total"] == 2


def test_matching_stub_lists_the_events_served_by_that_stub(
    client: Client, traffic: dict[str, str]
) -> None:
    """matchingStub=<id> keeps the events that stub served; a bad id is a 400 with code 15."""
    assert journal_urls(client, f"?matchingStub={traffic['one']}") == ["/one"]
    reply = client.get("/__admin/requests?matchingStub=nope")
    assert reply.status == 400
    assert only_error(reply)["code"] == 15


# -- single events -------------------------------------------------------------------------

def test_get_by_id_returns_the_serve_event(client: Client, traffic: dict[str, str]) -> None:
    """GET /requests/{id} returns the same serve event the list shows."""
    event = journal(client)["requests"][0]
    reply = client.get(f"/__admin/requests/{event['id']}")
    assert reply.status == 200
    assert reply.json() == event


def test_get_by_id_is_404_when_unknown_and_400_when_malformed(client: Client) -> None:
    """An unknown event id is an empty 404; a malformed one a 400 naming it."""
    missing = client.get(f"/__admin/requests/{UNKNOWN_ID}")
    assert (missing.status, missing.body) == (404, b"")
    bad = client.get("/__admin/requests/notauuid")
    assert bad.status == 400
    assert only_error(bad)["title"] == "notauuid is not a valid UUID"


def test_delete_by_id_removes_one_event(client: Client, traffic: dict[str, str]) -> None:
    """DELETE /requests/{id} answers {} and removes that event; an unknown id is also {}."""
    newest = journal(client)["requests"][0]["id"]
    reply = client.request("DELETE", f"/__admin/requests/{newest}")
    assert (reply.status, reply.json()) == (200, {})
    assert journal_urls(client) == ["/missing", "/two", "/one"]
    again = client.request("DELETE", f"/__admin/requests/{UNKNOWN_ID}")
    assert (again.status, again.json()) == (200, {})


def test_delete_all_clears_the_journal(client: Client, traffic: dict[str, str]) -> None:
    """DELETE /requests answers {} and empties the journal."""
    reply = client.request("DELETE", "/__admin/requests")
    assert (reply.status, reply.json()) == (200, {})
    assert journal(client)["requests"] == []
    assert journal(client)["meta"]["total"] == 0


# -- verification --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("pattern", "count"),
    [({"method": "GET", "urlPath": "/one"}, 1),
     ({"method": "GET", "urlPathPattern": "/one.*"}, 2),
     ({"method": "POST", "bodyPatterns": [{"equalTo": "hello"}]}, 1),
     ({"method": "DELETE"}, 0),
     ({}, 4)],
)
def test_count_counts_requests_matching_a_pattern(
    client: Client, traffic: dict[str, str], pattern: dict[str, Any], count: int
) -> None:
    """requests/count counts journalled requests (matched or not) that fit the pattern."""
    reply = client.post("/__admin/requests/count", json_body=pattern)
    assert reply.status == 200
    assert reply.json() == {"count": count, "requestJournalDisabled": False}


def test_count_with_an_empty_body_counts_everything(
    client: Client, traffic: dict[str, str]
) -> None:
    """An empty body is the pattern that matches every request."""
    assert client.post("/__admin/requests/count").json()["count"] == 4


def test_count_with_an_invalid_pattern_is_422_naming_the_field(client: Client) -> None:
    """A verification pattern with an unknown field is refused with a pointer to it."""
    reply = client.post("/__admin/requests/count", json_body={"urlPth": "/one"})
    assert reply.status == 422
    error = only_error(reply)
    assert error["source"]["pointer"] == "/urlPth"
    assert "urlPth" in error["detail"]


def test_find_returns_logged_requests_oldest_first(client: Client, traffic: dict[str, str]) -> None:
    """requests/find returns bare logged requests, oldest first, without meta."""
    found = client.post("/__admin/requests/find",
                        json_body={"method": "GET", "urlPathPattern": "/.*"}).json()
    assert set(found) == {"requests", "requestJournalDisabled"}
    assert [r["url"] for r in found["requests"]] == ["/one", "/missing", "/one/deeper"]
    assert found["requests"][0]["method"] == "GET"


def test_requests_unmatched_lists_logged_requests_newest_first(
    client: Client, traffic: dict[str, str]
) -> None:
    """requests/unmatched lists the unmatched logged requests, newest first (as WireMock)."""
    found = client.get("/__admin/requests/unmatched").json()
    assert [r["url"] for r in found["requests"]] == ["/one/deeper", "/missing"]
    assert found["requestJournalDisabled"] is False


def test_remove_deletes_matching_events_and_returns_them(
    client: Client, traffic: dict[str, str]
) -> None:
    """requests/remove deletes the events fitting the pattern and lists what it removed."""
    reply = client.post("/__admin/requests/remove", json_body={"method": "GET"})
    assert reply.status == 200
    removed = reply.json()["serveEvents"]
    assert sorted(e["request"]["url"] for e in removed) == ["/missing", "/one", "/one/deeper"]
    assert journal_urls(client) == ["/two"]


def test_remove_by_metadata_deletes_events_served_by_matching_stubs(
    client: Client, traffic: dict[str, str]
) -> None:
    """requests/remove-by-metadata deletes events whose stub's metadata matches."""
    reply = client.post("/__admin/requests/remove-by-metadata",
                        json_body={"matchesJsonPath": {"expression": "$.team", "equalTo": "red"}})
    assert reply.status == 200
    assert [e["stubMapping"]["id"] for e in reply.json()["serveEvents"]] == [traffic["one"]]
    assert journal_urls(client) == ["/one/deeper", "/missing", "/two"]


# -- near misses ---------------------------------------------------------------------------

@pytest.fixture
def shelf(client: Client) -> dict[str, str]:
    return {
        "alpha": client.stub({"request": {"method": "GET", "url": "/alpha"}}),
        "alphabet": client.stub({"request": {"method": "GET", "url": "/alphabet-soup"}}),
        "post": client.stub({"request": {"method": "POST", "url": "/alpha"}}),
        "far": client.stub({"request": {"method": "DELETE", "url": "/zzzzzzzzzzzzzzzzzzzz"}}),
    }


def test_near_misses_for_a_request_are_the_three_closest_stubs_in_order(
    client: Client, shelf: dict[str, str]
) -> None:
    """near-misses/request grades every stub and returns the three nearest, closest first."""
    reply = client.post("/__admin/near-misses/request", json_body={"url": "/alpha1",
                                                                 "method": "GET"})
    assert reply.status == 200
    misses = reply.json()["nearMisses"]
    assert [m["stubMapping"]["id"] for m in misses] == [
        shelf["alpha"], shelf["post"], shelf["alphabet"]]
    distances = [m["matchResult"]["distance"] for m in misses]
    assert distances == sorted(distances)
    assert 0 < distances[0] < 1
    assert misses[0]["request"]["url"] == "/alpha1"



@pytest.mark.parametrize(
    ("logged", "pointer"),
    [({"url": "/x", "headers": ["Accept"]}, "/headers"),
     ({"url": "/x", "port": "eighty"}, "/port"),
     ({"url": "/x", "bodyAsBase64": "not base64!"}, "/bodyAsBase64")],
)
def test_near_misses_for_a_malformed_logged_request_is_422(
    client: Client, shelf: dict[str, str], logged: dict[str, Any], pointer: str
) -> None:
    """A logged request with a field of the wrong shape is a 422 naming it, not a crash."""
    reply = client.post("/__admin/near-misses/request", json_body=logged)
    assert reply.status == 422
    assert only_error(reply)["source"]["pointer"] == pointer

def test_near_misses_for_a_pattern_are_the_closest_journalled_requests(client: Client) -> None:
    """near-misses/request-pattern grades journalled requests against a pattern, closest first."""
    for path in ("/zzzzzzzzzzzz", "/orders/12", "/orders/1", "/order"):
        client.get(path)
    pattern = {"method": "GET", "url": "/orders/1"}
    reply = client.post("/__admin/near-misses/request-pattern", json_body=pattern)
    misses = reply.json()["nearMisses"]
    assert [m["request"]["url"] for m in misses] == ["/orders/1", "/orders/12", "/order"]
    assert misses[0]["matchResult"]["distance"] == 0
    distances = [m["matchResult"]["distance"] for m in misses]
    assert distances == sorted(distances)
    assert all(m["requestPattern"] == pattern for m in misses)


def test_unmatched_near_misses_list_nearest_stubs_for_each_unmatched_request(
    client: Client, shelf: dict[str, str]
) -> None:
    """requests/unmatched/near-misses gives, per unmatched request, its nearest stubs in order."""
    client.get("/alpha")
    client.get("/alphax")
    client.request("DELETE", "/zzzzzzzzzzzzzzzzzzzy")
    misses = client.get("/__admin/requests/unmatched/near-misses").json()["nearMisses"]
    assert [m["request"]["url"] for m in misses] == ["/alphax"] * 3 + ["/zzzzzzzzzzzzzzzzzzzy"] * 3
    assert misses[0]["stubMapping"]["id"] == shelf["alpha"]
    assert misses[3]["stubMapping"]["id"] == shelf["far"]
    for group in (misses[:3], misses[3:]):
        distances = [m["matchResult"]["distance"] for m in group]
        assert distances == sorted(distances)


# -- bounded and disabled journals ---------------------------------------------------------

def test_a_bounded_journal_keeps_the_newest_and_reports_evictions(make_server: Any) -> None:
    """With max 2 entries, 4 requests leave the newest 2; headers, not bodies, say 2 were dropped
    (WireMock's bodies stay exactly WireMock's, which strict clients need)."""
    client = make_server(max_request_journal_entries=2)
    for n in range(4):
        client.get(f"/r{n}")
    reply = client.get("/__admin/requests")
    listed = reply.json()
    assert [e["request"]["url"] for e in listed["requests"]] == ["/r3", "/r2"]
    assert listed["meta"] == {"total": 2}
    assert reply.header("X-Mockserver-Journal-Evicted") == "2"
    assert reply.header("X-Mockserver-Journal-Max-Entries") == "2"
    for path in ("/__admin/requests/count", "/__admin/requests/find"):
        found = client.post(path, json_body={})
        assert found.header("X-Mockserver-Journal-Evicted") == "2"
        assert set(found.json()) <= {"count", "requests", "requestJournalDisabled"}
    assert client.post("/__admin/requests/count", json_body={}).json() == {
        "count": 2, "requestJournalDisabled": False}
    client.request("DELETE", "/__admin/requests")
    cleared = client.get("/__admin/requests")
    assert cleared.json()["meta"] == {"total": 0}
    assert cleared.header("X-Mockserver-Journal-Evicted") == "0"


def test_unmatched_and_removed_requests_come_newest_first(client: Client) -> None:
    """requests/unmatched and requests/remove list newest first; find lists oldest first
    (WireMock 3.13.2's orders, whatever the timestamps)."""
    for n in range(5):
        client.get(f"/o/{n}")
    newest_first = [f"/o/{n}" for n in reversed(range(5))]
    unmatched = client.get("/__admin/requests/unmatched").json()["requests"]
    assert [r["url"] for r in unmatched] == newest_first
    found = client.post("/__admin/requests/find", json_body={"urlPattern": "/o/.*"}).json()
    assert [r["url"] for r in found["requests"]] == newest_first[::-1]
    removed = client.post("/__admin/requests/remove", json_body={"urlPattern": "/o/.*"}).json()
    assert [e["request"]["url"] for e in removed["serveEvents"]] == newest_first


def test_a_disabled_journal_says_so_on_every_verification_endpoint(make_server: Any) -> None:
    """Without a journal, count is -1, find and unmatched are empty, listing is a JSON 500."""
    client = make_server(request_journal=False)
    client.get("/anything")
    assert client.post("/__admin/requests/count", json_body={}).json() == {
        "count": -1, "requestJournalDisabled": True}
    assert client.post("/__admin/requests/find", json_body={}).json() == {
        "requests": [], "requestJournalDisabled": True}
    assert client.get("/__admin/requests/unmatched").json() == {
        "requests": [], "requestJournalDisabled": True}
    listed = client.get("/__admin/requests")
    assert listed.status == 500
    assert "disabled" in only_error(listed)["title"]
