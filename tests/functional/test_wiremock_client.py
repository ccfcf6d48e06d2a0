"""The official WireMock Python admin client (`wiremock` on PyPI) driving mockserver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wiremock.constants import Config
from wiremock.exceptions import NotFoundException
from wiremock.resources.mappings import HttpMethods, Mapping, MappingRequest, MappingResponse
from wiremock.resources.mappings.resource import Mappings
from wiremock.resources.near_misses import NearMissMatchPatternRequest, NearMissMatchRequest
from wiremock.resources.near_misses.resource import NearMisses
from wiremock.resources.requests.resource import Requests
from wiremock.resources.scenarios.resource import Scenarios

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client


@pytest.fixture
def admin(server: ThreadedRunner) -> Iterator[None]:
    """Point the client's global Config at the test server, and put it back afterwards."""
    saved = Config.base_url
    Config.base_url = server.url + "/__admin"
    try:
        yield
    finally:
        Config.base_url = saved


def hello_mapping(body: str = "hi") -> Mapping:
    return Mapping(
        priority=1,
        request=MappingRequest(method=HttpMethods.GET, url="/hello"),
        response=MappingResponse(status=200, body=body),
    )


def test_create_retrieve_and_list_mappings(admin: None, client: Client) -> None:
    """create_mapping stores a stub the server serves; retrieve and list return it."""
    created = Mappings.create_mapping(hello_mapping())
    assert created.id
    assert client.get("/hello").text == "hi"
    fetched = Mappings.retrieve_mapping(created.id)
    assert (fetched.id, fetched.request.url, fetched.response.body) == (created.id, "/hello", "hi")
    listed = Mappings.retrieve_all_mappings()
    assert listed.meta.total == 1
    assert [m.id for m in listed.mappings] == [created.id]


def test_update_mapping_changes_what_is_served(admin: None, client: Client) -> None:
    """update_mapping (PUT) replaces the stub under the same id."""
    created = Mappings.create_mapping(hello_mapping())
    created.response = MappingResponse(status=202, body="changed")
    updated = Mappings.update_mapping(created)
    assert (updated.id, updated.response.status) == (created.id, 202)
    reply = client.get("/hello")
    assert (reply.status, reply.text) == (202, "changed")


def test_delete_mapping_and_delete_all(admin: None, client: Client) -> None:
    """delete_mapping removes one stub (a second delete is a NotFound); delete_all the rest."""
    first = Mappings.create_mapping(hello_mapping())
    Mappings.create_mapping(Mapping(request=MappingRequest(method=HttpMethods.GET, url="/b"),
                                    response=MappingResponse(status=200)))
    Mappings.delete_mapping(first.id)
    assert Mappings.retrieve_all_mappings().meta.total == 1
    with pytest.raises(NotFoundException):
        Mappings.delete_mapping(first.id)
    Mappings.delete_all_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0


def test_delete_mapping_by_metadata(admin: None) -> None:
    """delete_mapping_by_metadata removes the stubs whose metadata matches."""
    tagged = hello_mapping()
    tagged.metadata = {"owner": "team-a"}
    Mappings.create_mapping(tagged)
    kept = Mappings.create_mapping(Mapping(request=MappingRequest(method=HttpMethods.GET,
                                                                  url="/kept")))
    Mappings.delete_mapping_by_metadata(
        {"matchesJsonPath": {"expression": "$.owner", "equalTo": "team-a"}})
    assert [m.id for m in Mappings.retrieve_all_mappings().mappings] == [kept.id]


def test_count_and_find_requests(admin: None, client: Client) -> None:
    """get_matching_request_count and get_matching_requests verify what the server received."""
    Mappings.create_mapping(hello_mapping())
    client.get("/hello")
    client.get("/hello")
    client.get("/other")
    pattern = NearMissMatchPatternRequest(url="/hello", method=HttpMethods.GET)
    assert Requests.get_matching_request_count(pattern).count == 2
    found = Requests.get_matching_requests(pattern)
    assert [r.url for r in found.requests] == ["/hello", "/hello"]
    assert [r.url for r in Requests.get_unmatched_requests().requests] == ["/other"]
    Requests.reset_request_journal()
    assert Requests.get_matching_request_count(pattern).count == 0


def test_get_one_request_by_id(admin: None, client: Client) -> None:
    """get_request reads one serve event of the journal."""
    client.get("/nothing")
    event_id = client.get("/__admin/requests").json()["requests"][0]["id"]
    event = Requests.get_request(event_id)
    assert (event.id, event.request.url, event.request.method) == (event_id, "/nothing", "GET")


def test_near_misses(admin: None, client: Client) -> None:
    """Near misses by request, by pattern and for unmatched requests come back closest first."""
    Mappings.create_mapping(hello_mapping())
    client.get("/hellx")
    by_request = NearMisses.find_nearest_misses_by_request(
        NearMissMatchRequest(url="/hellx", method=HttpMethods.GET))
    assert len(by_request.near_misses) == 1
    assert 0 < by_request.near_misses[0].match_result.distance < 1
    by_pattern = NearMisses.find_nearest_misses_by_request_pattern(
        NearMissMatchPatternRequest(url="/hello", method=HttpMethods.GET))
    assert [m.request.url for m in by_pattern.near_misses] == ["/hellx"]
    unmatched = Requests.get_unmatched_requests_near_misses()
    assert [m.request.url for m in unmatched.near_misses] == ["/hellx"]


def test_reset_all_scenarios(admin: None, client: Client) -> None:
    """reset_all_scenarios puts a scenario back in Started."""
    started = hello_mapping("first")
    started.scenario_name = "flow"
    started.required_scenario_state = "Started"
    started.new_scenario_state = "done"
    done = hello_mapping("second")
    done.scenario_name = "flow"
    done.required_scenario_state = "done"
    Mappings.create_mapping(started)
    Mappings.create_mapping(done)
    assert [client.get("/hello").text for _ in range(2)] == ["first", "second"]
    Scenarios.reset_all_scenarios()
    assert client.get("/hello").text == "first"


def test_reset_mappings_reloads_from_disk(admin: None, client: Client) -> None:
    """reset_mappings drops stubs made through the client."""
    Mappings.create_mapping(hello_mapping())
    Mappings.reset_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0



def test_the_client_works_unchanged_on_a_namespace_base_url(server: ThreadedRunner,
                                                              client: Client) -> None:
    """With a base URL ending in /__ns/{name}, the client's stubs, journal and reset stay there."""
    saved = Config.base_url
    Config.base_url = server.url + "/__ns/client-run/__admin"
    try:
        created = Mappings.create_mapping(hello_mapping("namespaced"))
        assert client.get("/__ns/client-run/hello").text == "namespaced"
        assert client.get("/hello").status == 404
        assert [m.id for m in Mappings.retrieve_all_mappings().mappings] == [created.id]
        found = Requests.get_all_received_requests()
        assert [r.request.url for r in found.requests] == ["/hello"]
        Mappings.delete_all_mappings()
        assert client.get("/__ns/client-run/hello").status == 404
    finally:
        Config.base_url = saved
    assert client.get("/__admin/mappings").json()["mappings"] == []
