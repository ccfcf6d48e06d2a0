"""Unmatched requests: a 404 that explains the closest stub, journalled as unmatched."""

from __future__ import annotations

from tests.conftest import Client


def test_no_stubs_sentence(client: Client) -> None:
    """With no stubs at all the 404 says so in WireMock's words."""
    reply = client.get("/nothing")
    assert reply.status == 404
    assert reply.header("Content-Type") == "text/plain;charset=UTF-8"
    assert reply.text == ("No response could be served as there are no stub mappings "
                          "in this WireMock instance.")


def test_report_names_closest_stub_and_difference(client: Client) -> None:
    """The 404 body shows the closest stub and marks the field that differed."""
    client.stub({"name": "Get widget", "request": {"method": "GET", "urlPath": "/widgets",
                                                   "headers": {"X-Key": {"equalTo": "k1"}}},
                 "response": {"body": "w"}})
    client.stub({"name": "Other", "request": {"method": "GET", "url": "/zzz/elsewhere"},
                 "response": {"body": "o"}})
    reply = client.get("/widgets", headers=[("X-Key", "k2")])
    assert reply.status == 404
    assert "Request was not matched" in reply.text
    assert "Get widget" in reply.text
    assert "Header does not match" in reply.text
    assert reply.header("Matched-Stub-Id") is None


def test_unmatched_is_journalled(client: Client) -> None:
    """The unmatched request is in the journal with wasMatched false."""
    client.stub({"request": {"url": "/a"}, "response": {}})
    client.get("/b")
    journal = client.get("/__admin/requests").json()
    assert journal["requests"][0]["wasMatched"] is False
    assert journal["requests"][0]["request"]["url"] == "/b"
    unmatched = client.get("/__admin/requests/unmatched").json()
    assert [r["url"] for r in unmatched["requests"]] == ["/b"]


def test_a_repeated_miss_reports_the_scenario_state_and_stubs_of_now(client: Client) -> None:
    """The same unmatched request again is answered with the same report, until a stub
    changes or the closest stub's scenario moves on: then the report says so."""
    client.stub({"name": "Step one", "scenarioName": "flow", "requiredScenarioState": "Started",
                 "newScenarioState": "two", "request": {"method": "POST", "url": "/flow"},
                 "response": {"body": "1"}})
    client.stub({"name": "Step two", "scenarioName": "flow", "requiredScenarioState": "two",
                 "request": {"method": "GET", "url": "/flow/next",
                             "headers": {"X-Key": {"equalTo": "k1"}}},
                 "response": {"body": "2"}})

    def miss() -> str:
        reply = client.get("/flow/next", headers=[("X-Key", "k2")])
        assert reply.status == 404
        return reply.text

    first = miss()
    assert "Step two" in first and miss() == first
    assert "Started" in first
    assert client.post("/flow", body=b"").status == 200  # the scenario moves to "two"
    moved = miss()
    assert moved != first and "Started" not in moved and miss() == moved
    client.stub({"name": "Closer now", "request": {"method": "GET", "url": "/flow/next",
                                                    "headers": {"X-Key": {"equalTo": "k2x"}}},
                 "response": {"body": "3"}})
    assert "Closer now" in miss()
