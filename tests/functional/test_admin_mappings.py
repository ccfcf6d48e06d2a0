"""`/__admin/mappings`: listing, CRUD, validation errors, import, metadata, files on disk."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.serve.runner import ThreadedRunner
from tests.conftest import Client, start_server

UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


def urls(client: Client, query: str = "") -> list[str]:
    reply = client.get(f"/__admin/mappings{query}")
    assert reply.status == 200, reply.text
    return [m["request"]["url"] for m in reply.json()["mappings"]]


def body_of(client: Client, path: str) -> str:
    return client.get(path).text


def error_of(reply: Any) -> dict[str, Any]:
    assert reply.header("Content-Type") == "application/json", reply.headers
    errors = reply.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.fixture
def files_server(root_dir: Path) -> Iterator[tuple[ThreadedRunner, Client]]:
    """A server started over a hand-written YAML file and a WireMock JSON file."""
    mappings = root_dir / "mappings"
    (mappings / "hand.yaml").write_text(
        "name: hand\nrequest:\n  method: GET\n  url: /hand\nresponse:\n  body: from yaml\n"
    )
    (mappings / "wiremock.json").write_text(json.dumps({
        "id": "11111111-1111-1111-1111-111111111111",
        "request": {"method": "GET", "urlPath": "/wm"},
        "response": {"status": 200, "body": "from json"},
    }, indent=2))
    runner = start_server(root_dir)
    try:
        yield runner, Client(runner.port)
    finally:
        runner.stop()


# -- listing -------------------------------------------------------------------------------

def test_list_orders_by_priority_then_newest_first(client: Client) -> None:
    """Stubs are listed by priority ascending, and among equal priorities newest first."""
    client.stub({"request": {"url": "/old"}})
    client.stub({"request": {"url": "/low"}, "priority": 10})
    client.stub({"request": {"url": "/high"}, "priority": 1})
    client.stub({"request": {"url": "/new"}})
    assert urls(client) == ["/high", "/new", "/old", "/low"]


def test_list_limit_and_offset_slice_the_ordered_list_and_total_counts_all(
    client: Client,
) -> None:
    """limit/offset slice the ordered list while meta.total still counts every stub."""
    for n in range(5):
        client.stub({"request": {"url": f"/s{n}"}})
    reply = client.get("/__admin/mappings?limit=2&offset=1").json()
    assert [m["request"]["url"] for m in reply["mappings"]] == ["/s3", "/s2"]
    assert reply["meta"] == {"total": 5}
    assert urls(client, "?offset=4") == ["/s0"]
    assert urls(client, "?limit=0") == []


@pytest.mark.parametrize("query", ["limit=-1", "limit=ten", "offset=-2"])
def test_list_refuses_a_bad_limit_or_offset_with_400(client: Client, query: str) -> None:
    """A negative or non-numeric limit/offset is a 400 naming the parameter."""
    reply = client.get(f"/__admin/mappings?{query}")
    assert reply.status == 400
    assert error_of(reply)["source"]["pointer"] == query.split("=")[0]


def test_admin_root_with_trailing_slash_lists_the_mappings(client: Client) -> None:
    """`GET /__admin/` answers like `GET /__admin/mappings`."""
    stub_id = client.stub({"request": {"url": "/x"}})
    reply = client.get("/__admin/")
    assert reply.status == 200
    assert [m["id"] for m in reply.json()["mappings"]] == [stub_id]


# -- create / read / edit / delete ---------------------------------------------------------

def test_create_returns_201_with_a_generated_id_and_uuid(client: Client) -> None:
    """Creating a stub without an id answers 201 with the stored stub, id and uuid equal."""
    reply = client.post("/__admin/mappings",
                        json_body={"request": {"method": "GET", "url": "/c"},
                                   "response": {"status": 200, "body": "made"}})
    assert reply.status == 201
    stub = reply.json()
    assert stub["id"] == stub["uuid"]
    assert str(uuid.UUID(stub["id"])) == stub["id"]
    assert stub["request"] == {"url": "/c", "method": "GET"}
    served = client.get("/c")
    assert served.text == "made"
    assert served.header("Matched-Stub-Id") == stub["id"]


def test_create_keeps_the_given_uuid_alias_as_the_id(client: Client) -> None:
    """A stub posted with only `uuid` is stored under that id."""
    given = str(uuid.uuid4())
    stub = client.post("/__admin/mappings", json_body={"uuid": given}).json()
    assert stub["id"] == stub["uuid"] == given


def test_get_by_id_returns_the_stub(client: Client) -> None:
    """`GET /__admin/mappings/{id}` returns the stub as it was stored."""
    stub_id = client.stub({"name": "one", "request": {"urlPath": "/g"}, "priority": 3})
    reply = client.get(f"/__admin/mappings/{stub_id}")
    assert reply.status == 200
    assert reply.json() == {
        "id": stub_id, "name": "one", "request": {"urlPath": "/g", "method": "ANY"},
        "response": {"status": 200}, "uuid": stub_id, "priority": 3,
    }


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_unknown_id_is_404_with_an_empty_body(client: Client, method: str) -> None:
    """Reading, editing or deleting an id that is not there answers 404 and nothing else."""
    reply = client.request(method, f"/__admin/mappings/{UNKNOWN_ID}",
                           json_body={} if method == "PUT" else None)
    assert (reply.status, reply.body) == (404, b"")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_malformed_id_is_400_naming_it(client: Client, method: str) -> None:
    """An id that is not a UUID is a 400 whose title names the bad value."""
    reply = client.request(method, "/__admin/mappings/notauuid",
                           json_body={} if method == "PUT" else None)
    assert reply.status == 400
    assert error_of(reply) == {"code": 10, "title": "notauuid is not a valid UUID"}


def test_put_replaces_the_stub_and_the_path_id_wins_over_the_body(client: Client) -> None:
    """PUT stores the new definition under the path's id, whatever id the body carries."""
    stub_id = client.stub({"request": {"url": "/p"}, "response": {"body": "before"}})
    reply = client.request("PUT", f"/__admin/mappings/{stub_id}",
                           json_body={"id": str(uuid.uuid4()), "request": {"url": "/p"},
                                      "response": {"body": "after"}})
    assert reply.status == 200
    assert reply.json()["id"] == reply.json()["uuid"] == stub_id
    assert body_of(client, "/p") == "after"
    assert [m["id"] for m in client.get("/__admin/mappings").json()["mappings"]] == [stub_id]


def test_put_keeps_the_insertion_order(client: Client) -> None:
    """An edited stub keeps its place: a newer stub with equal priority still wins."""
    older = client.stub({"request": {"url": "/same"}, "response": {"body": "older"}})
    client.stub({"request": {"url": "/same"}, "response": {"body": "newer"}})
    client.request("PUT", f"/__admin/mappings/{older}",
                   json_body={"request": {"url": "/same"}, "response": {"body": "edited"}})
    assert body_of(client, "/same") == "newer"
    listed = client.get("/__admin/mappings").json()["mappings"]
    assert [m["response"]["body"] for m in listed] == ["newer", "edited"]


def test_delete_then_recreate_moves_the_stub_to_the_front(client: Client) -> None:
    """Deleting and re-creating a stub makes it the newest of its priority."""
    first = client.stub({"request": {"url": "/same"}, "response": {"body": "first"}})
    client.stub({"request": {"url": "/same"}, "response": {"body": "second"}})
    reply = client.request("DELETE", f"/__admin/mappings/{first}")
    assert (reply.status, reply.json()) == (200, {})
    client.stub({"id": first, "request": {"url": "/same"}, "response": {"body": "first"}})
    assert body_of(client, "/same") == "first"


def test_a_duplicate_id_is_422_with_code_109(client: Client) -> None:
    """Creating a stub whose id already exists is refused with code 109, the first kept."""
    stub_id = client.stub({"request": {"url": "/d"}, "response": {"body": "kept"}})
    reply = client.post("/__admin/mappings",
                        json_body={"id": stub_id, "response": {"body": "dropped"}})
    assert reply.status == 422
    assert error_of(reply) == {"code": 109, "title": "Duplicate stub mapping ID"}
    assert body_of(client, "/d") == "kept"


@pytest.mark.parametrize(
    ("mapping", "pointer", "named"),
    [
        ({"request": {"foo": 1}}, "/request/foo", "foo"),
        ({"response": {"fault": "NOT_A_FAULT"}}, "/response/fault", "NOT_A_FAULT"),
        ({"bar": 2}, "/bar", "bar"),
        ({"priority": "high"}, "/priority", "high"),
        ({"response": {"status": "ok"}}, "/response/status", "ok"),
        ({"request": {"urlPattern": "(unclosed"}}, "/request/urlPattern", "(unclosed"),
        ({"request": {"headers": {"X-A": {"equals": "1"}}}}, "/request/headers/X-A/equals",
         "equals"),
        ({"id": "not-a-uuid"}, "/id", "not-a-uuid"),
    ],
)
def test_an_invalid_mapping_is_422_pointing_at_the_field_and_naming_the_problem(
    client: Client, mapping: dict[str, Any], pointer: str, named: str
) -> None:
    """A bad stub is refused with a JSON pointer to the field and a detail naming what is wrong."""
    reply = client.post("/__admin/mappings", json_body=mapping)
    assert reply.status == 422
    error = error_of(reply)
    assert error["code"] == 10
    assert error["source"]["pointer"] == pointer
    assert named in error["detail"]
    assert client.get("/__admin/mappings").json()["meta"]["total"] == 0


@pytest.mark.parametrize("body", ["", "{not json", "[1, 2]"])
def test_an_unparseable_body_is_422(client: Client, body: str) -> None:
    """An empty, malformed or non-object body is a 422 saying why, and adds nothing."""
    reply = client.post("/__admin/mappings", body=body,
                        headers={"Content-Type": "application/json"})
    assert reply.status == 422
    assert error_of(reply)["detail"]
    assert client.get("/__admin/mappings").json()["meta"]["total"] == 0


def test_a_put_with_an_invalid_mapping_leaves_the_stub_alone(client: Client) -> None:
    """A PUT whose body is invalid answers 422 and the stored stub keeps answering."""
    stub_id = client.stub({"request": {"url": "/keep"}, "response": {"body": "ok"}})
    reply = client.request("PUT", f"/__admin/mappings/{stub_id}",
                           json_body={"request": {"url": "/keep", "nope": True}})
    assert reply.status == 422
    assert error_of(reply)["source"]["pointer"] == "/request/nope"
    assert body_of(client, "/keep") == "ok"


def test_legacy_new_endpoint_creates_a_stub(client: Client) -> None:
    """`POST /__admin/mappings/new` (WireMock 2) creates a stub like `POST /mappings`."""
    reply = client.post("/__admin/mappings/new",
                        json_body={"request": {"url": "/legacy"}, "response": {"body": "l"}})
    assert reply.status == 201
    assert body_of(client, "/legacy") == "l"


def test_legacy_edit_endpoint_replaces_by_body_id_with_204(client: Client) -> None:
    """`POST /__admin/mappings/edit` replaces the stub named by the body's id and answers 204."""
    stub_id = client.stub({"request": {"url": "/e"}, "response": {"body": "before"}})
    reply = client.post("/__admin/mappings/edit",
                        json_body={"id": stub_id, "request": {"url": "/e"},
                                   "response": {"body": "after"}})
    assert (reply.status, reply.body) == (204, b"")
    assert body_of(client, "/e") == "after"
    missing = client.post("/__admin/mappings/edit", json_body={"id": UNKNOWN_ID})
    assert missing.status == 404


# -- import --------------------------------------------------------------------------------

def test_import_gives_the_first_listed_stub_precedence(client: Client) -> None:
    """Imported stubs are added last-to-first, so the first of the list wins among equals."""
    reply = client.post("/__admin/mappings/import", json_body={"mappings": [
        {"request": {"url": "/imp"}, "response": {"body": "first"}},
        {"request": {"url": "/imp"}, "response": {"body": "second"}},
    ]})
    assert (reply.status, reply.body) == (200, b"")
    assert body_of(client, "/imp") == "first"


def test_import_overwrites_an_existing_id_by_default(client: Client) -> None:
    """With the default OVERWRITE policy an imported stub replaces the one with its id."""
    stub_id = client.stub({"request": {"url": "/o"}, "response": {"body": "old"}})
    client.post("/__admin/mappings/import", json_body={"mappings": [
        {"id": stub_id, "request": {"url": "/o"}, "response": {"body": "new"}}]})
    assert body_of(client, "/o") == "new"
    assert client.get("/__admin/mappings").json()["meta"]["total"] == 1


def test_import_with_ignore_keeps_existing_ids_and_adds_the_rest(client: Client) -> None:
    """With duplicatePolicy IGNORE existing ids are left as they are; new ones are added."""
    stub_id = client.stub({"request": {"url": "/i"}, "response": {"body": "old"}})
    client.post("/__admin/mappings/import", json_body={
        "mappings": [
            {"id": stub_id, "request": {"url": "/i"}, "response": {"body": "new"}},
            {"request": {"url": "/added"}, "response": {"body": "added"}},
        ],
        "importOptions": {"duplicatePolicy": "IGNORE"},
    })
    assert body_of(client, "/i") == "old"
    assert body_of(client, "/added") == "added"


def test_import_with_delete_all_not_in_import_removes_the_others(client: Client) -> None:
    """deleteAllNotInImport drops every stub whose id the import does not list."""
    kept = client.stub({"request": {"url": "/kept"}, "response": {"body": "old"}})
    client.stub({"request": {"url": "/gone"}})
    client.post("/__admin/mappings/import", json_body={
        "mappings": [
            {"id": kept, "request": {"url": "/kept"}, "response": {"body": "new"}},
            {"request": {"url": "/fresh"}},
        ],
        "importOptions": {"duplicatePolicy": "OVERWRITE", "deleteAllNotInImport": True},
    })
    assert sorted(urls(client)) == ["/fresh", "/kept"]
    assert body_of(client, "/kept") == "new"


def test_an_invalid_import_adds_nothing_and_points_into_the_list(client: Client) -> None:
    """One bad stub in an import refuses the whole import, pointing at that stub's field."""
    reply = client.post("/__admin/mappings/import", json_body={"mappings": [
        {"request": {"url": "/fine"}},
        {"request": {"url": "/bad", "urlTypo": "/x"}},
    ]})
    assert reply.status == 422
    assert error_of(reply)["source"]["pointer"] == "/mappings/1/request/urlTypo"
    assert urls(client) == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [({"stubs": []}, "/mappings"),
     ({"mappings": [], "importOptions": {"duplicatePolicy": "MERGE"}},
      "/importOptions/duplicatePolicy"),
     ({"mappings": [], "importOptions": {"duplicatePolicy": "IGNORE", "zzz": 1}},
      "/importOptions/zzz")],
)
def test_an_import_with_a_bad_envelope_is_422(
    client: Client, body: dict[str, Any], pointer: str
) -> None:
    """A missing mappings list or an unknown duplicate policy is a 422 naming the key."""
    reply = client.post("/__admin/mappings/import", json_body=body)
    assert reply.status == 422
    assert error_of(reply)["source"]["pointer"] == pointer


# -- metadata ------------------------------------------------------------------------------

@pytest.fixture
def tagged(client: Client) -> dict[str, str]:
    return {
        "alpha": client.stub({"request": {"url": "/alpha"},
                              "metadata": {"tag": "alpha", "owner": {"team": "a"}}}),
        "beta": client.stub({"request": {"url": "/beta"},
                             "metadata": {"tag": "beta", "extra": True}}),
        "none": client.stub({"request": {"url": "/none"}}),
    }


def test_find_by_metadata_with_matches_json_path(client: Client, tagged: dict[str, str]) -> None:
    """find-by-metadata applies a matchesJsonPath matcher to each stub's metadata."""
    reply = client.post("/__admin/mappings/find-by-metadata",
                        json_body={"matchesJsonPath": {"expression": "$.tag",
                                                       "equalTo": "alpha"}})
    assert reply.status == 200
    found = reply.json()
    assert [m["id"] for m in found["mappings"]] == [tagged["alpha"]]
    assert found["meta"] == {"total": 1}
    assert found["mappings"][0]["metadata"] == {"tag": "alpha", "owner": {"team": "a"}}


def test_find_by_metadata_with_equal_to_json_ignoring_extra_elements(
    client: Client, tagged: dict[str, str]
) -> None:
    """equalToJson with ignoreExtraElements finds metadata that holds at least the given keys."""
    reply = client.post("/__admin/mappings/find-by-metadata",
                        json_body={"equalToJson": {"tag": "beta"}, "ignoreExtraElements": True})
    assert [m["id"] for m in reply.json()["mappings"]] == [tagged["beta"]]
    strict = client.post("/__admin/mappings/find-by-metadata",
                         json_body={"equalToJson": {"tag": "beta"}})
    assert strict.json()["mappings"] == []


def test_find_by_metadata_tests_stubs_without_metadata_as_null(
    client: Client, tagged: dict[str, str]
) -> None:
    """A stub without metadata is matched against the text `null`, as in WireMock."""
    reply = client.post("/__admin/mappings/find-by-metadata", json_body={"equalTo": "null"})
    assert [m["id"] for m in reply.json()["mappings"]] == [tagged["none"]]


def test_remove_by_metadata_removes_only_the_matching_stubs(
    client: Client, tagged: dict[str, str]
) -> None:
    """remove-by-metadata answers {} and deletes exactly the stubs whose metadata matches."""
    reply = client.post("/__admin/mappings/remove-by-metadata",
                        json_body={"matchesJsonPath": "$.owner.team"})
    assert (reply.status, reply.json()) == (200, {})
    assert sorted(urls(client)) == ["/beta", "/none"]


def test_find_by_metadata_with_an_unknown_operator_is_422(client: Client) -> None:
    """A metadata matcher with an unknown operator is refused, naming the operator."""
    reply = client.post("/__admin/mappings/find-by-metadata", json_body={"equals": "x"})
    assert reply.status == 422
    assert "equals" in error_of(reply)["detail"]


# -- remove, unmatched ---------------------------------------------------------------------

def test_remove_by_id_deletes_that_stub_only(client: Client) -> None:
    """`POST /mappings/remove` with a known id removes just that stub, even if others look alike."""
    first = client.stub({"request": {"url": "/r"}})
    second = client.stub({"request": {"url": "/r"}})
    reply = client.post("/__admin/mappings/remove",
                        json_body={"id": first, "request": {"url": "/r"}})
    assert (reply.status, reply.body) == (200, b"")
    assert [m["id"] for m in client.get("/__admin/mappings").json()["mappings"]] == [second]


def test_remove_by_pattern_deletes_every_stub_with_an_equal_request(client: Client) -> None:
    """Without a known id, every stub whose request pattern equals the body's is removed."""
    client.stub({"request": {"method": "GET", "url": "/r"}, "response": {"body": "1"}})
    client.stub({"request": {"method": "GET", "url": "/r"}, "response": {"body": "2"}})
    client.stub({"request": {"method": "POST", "url": "/r"}})
    reply = client.post("/__admin/mappings/remove",
                        json_body={"request": {"method": "GET", "url": "/r"}})
    assert reply.status == 200
    listed = client.get("/__admin/mappings").json()["mappings"]
    assert [m["request"] for m in listed] == [{"url": "/r", "method": "POST"}]


def test_unmatched_mappings_lists_and_deletes_stubs_never_served(client: Client) -> None:
    """mappings/unmatched lists stubs no journalled request hit, and DELETE removes them."""
    client.stub({"request": {"url": "/hit"}})
    idle = client.stub({"request": {"url": "/idle"}})
    client.get("/hit")
    client.get("/nothing-here")
    reply = client.get("/__admin/mappings/unmatched").json()
    assert [m["id"] for m in reply["mappings"]] == [idle]
    assert reply["meta"] == {"total": 1}
    deleted = client.request("DELETE", "/__admin/mappings/unmatched")
    assert (deleted.status, deleted.json()) == (200, {})
    assert urls(client) == ["/hit"]


def test_unmatched_mappings_forgets_hits_once_the_journal_is_cleared(client: Client) -> None:
    """A stub counts as unmatched again after the journal entry that hit it is gone."""
    stub_id = client.stub({"request": {"url": "/hit"}})
    client.get("/hit")
    assert client.get("/__admin/mappings/unmatched").json()["mappings"] == []
    client.request("DELETE", "/__admin/requests")
    listed = client.get("/__admin/mappings/unmatched").json()["mappings"]
    assert [m["id"] for m in listed] == [stub_id]


# -- files on disk -------------------------------------------------------------------------

def yaml_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "mappings").iterdir())


def test_save_writes_each_admin_stub_as_a_yaml_file(client: Client, root_dir: Path) -> None:
    """mappings/save writes every admin-created stub to ROOT/mappings as YAML, nothing half-done."""
    named = client.stub({"name": "Saved One", "request": {"url": "/one"},
                         "response": {"body": "1"}})
    plain = client.stub({"request": {"method": "PUT", "url": "/persist/me"}})
    reply = client.post("/__admin/mappings/save")
    assert (reply.status, reply.body) == (200, b"")
    names = yaml_files(root_dir)
    assert names == sorted([f"saved-one-{named}.yaml", f"put-persistme-{plain}.yaml"])
    saved = yaml.safe_load((root_dir / "mappings" / f"saved-one-{named}.yaml").read_text())
    assert saved["id"] == named
    assert saved["persistent"] is True
    assert saved["request"] == {"url": "/one", "method": "ANY"}
    assert saved["response"] == {"status": 200, "body": "1"}
    listed = client.get(f"/__admin/mappings/{named}").json()
    assert listed["persistent"] is True


def test_a_persistent_stub_is_written_on_create_and_its_file_deleted_on_delete(
    client: Client, root_dir: Path
) -> None:
    """`persistent: true` writes the stub's file at once; deleting the stub deletes the file."""
    stub_id = client.stub({"name": "keep me", "persistent": True, "request": {"url": "/k"}})
    path = root_dir / "mappings" / f"keep-me-{stub_id}.yaml"
    assert yaml_files(root_dir) == [path.name]
    assert yaml.safe_load(path.read_text())["id"] == stub_id
    client.request("DELETE", f"/__admin/mappings/{stub_id}")
    assert yaml_files(root_dir) == []


def test_files_in_mappings_are_served_at_startup(
    files_server: tuple[ThreadedRunner, Client],
) -> None:
    """A YAML stub file and a WireMock JSON stub file in ROOT/mappings are loaded at start."""
    _, client = files_server
    assert body_of(client, "/hand") == "from yaml"
    assert body_of(client, "/wm") == "from json"



def test_a_yaml_stub_with_a_date_in_its_metadata_can_be_listed_and_found(
    root_dir: Path,
) -> None:
    """An unquoted YAML date in metadata comes back as text; listing and search still work."""
    (root_dir / "mappings" / "dated.yaml").write_text(
        "request:\n  url: /dated\nmetadata:\n  created: 2024-01-02\n")
    runner = start_server(root_dir)
    try:
        client = Client(runner.port)
        listed = client.get("/__admin/mappings")
        assert listed.status == 200, listed.text
        assert listed.json()["mappings"][0]["metadata"] == {"created": "2024-01-02"}
        found = client.post("/__admin/mappings/find-by-metadata",
                            json_body={"matchesJsonPath": "$.created"})
        assert found.status == 200, found.text
        assert found.json()["meta"] == {"total": 1}
    finally:
        runner.stop()

def test_reset_drops_admin_stubs_and_reloads_the_files(
    files_server: tuple[ThreadedRunner, Client], root_dir: Path
) -> None:
    """mappings/reset forgets admin-made stubs and reads ROOT/mappings again, edits included."""
    _, client = files_server
    client.stub({"request": {"url": "/admin-made"}})
    client.get("/hand")
    (root_dir / "mappings" / "hand.yaml").write_text(
        "request:\n  url: /hand\nresponse:\n  body: edited on disk\n")
    for path in ("/__admin/mappings/reset", "/__admin/reset"):
        reply = client.post(path)
        assert (reply.status, reply.body) == (200, b"")
        assert sorted(urls_or_paths(client)) == ["/hand", "/wm"]
        assert body_of(client, "/hand") == "edited on disk"
    assert client.post("/__admin/requests/count", json_body={}).json()["count"] == 1


def urls_or_paths(client: Client) -> list[str]:
    mappings = client.get("/__admin/mappings").json()["mappings"]
    return [m["request"].get("url") or m["request"].get("urlPath") for m in mappings]


def test_delete_all_keeps_hand_written_files_and_deletes_server_written_ones(
    files_server: tuple[ThreadedRunner, Client], root_dir: Path
) -> None:
    """DELETE /mappings forgets every stub but only deletes the files this server wrote."""
    _, client = files_server
    written = client.stub({"name": "mine", "persistent": True, "request": {"url": "/mine"}})
    before = {p.name: p.read_bytes() for p in (root_dir / "mappings").iterdir()}
    assert f"mine-{written}.yaml" in before
    reply = client.request("DELETE", "/__admin/mappings")
    assert (reply.status, reply.json()) == (200, {})
    assert urls(client) == []
    after = {p.name: p.read_bytes() for p in (root_dir / "mappings").iterdir()}
    assert after == {"hand.yaml": before["hand.yaml"], "wiremock.json": before["wiremock.json"]}
    client.post("/__admin/reset")
    assert sorted(urls_or_paths(client)) == ["/hand", "/wm"]


def test_save_leaves_unedited_files_alone_and_rewrites_an_edited_one_in_its_format(
    files_server: tuple[ThreadedRunner, Client], root_dir: Path
) -> None:
    """After an admin edit, save rewrites that stub's own JSON file as JSON; others stay put."""
    _, client = files_server
    hand_before = (root_dir / "mappings" / "hand.yaml").read_bytes()
    wm_id = "11111111-1111-1111-1111-111111111111"
    client.request("PUT", f"/__admin/mappings/{wm_id}",
                   json_body={"request": {"method": "GET", "urlPath": "/wm"},
                              "response": {"body": "edited"}})
    client.post("/__admin/mappings/save")
    assert yaml_files(root_dir) == ["hand.yaml", "wiremock.json"]
    assert (root_dir / "mappings" / "hand.yaml").read_bytes() == hand_before
    rewritten = json.loads((root_dir / "mappings" / "wiremock.json").read_text())
    assert rewritten["id"] == wm_id
    assert rewritten["response"]["body"] == "edited"
    client.post("/__admin/reset")
    assert body_of(client, "/wm") == "edited"


def test_persisting_a_stub_of_a_multi_stub_file_is_a_409_and_the_file_stays(
    root_dir: Path,
) -> None:
    """An edit asking to persist a stub loaded from a file of several stubs answers 409 with
    code 10 naming the file, and the file is left as written."""
    stub_id = "22222222-2222-2222-2222-222222222222"
    text = (f"- {{id: {stub_id}, request: {{url: /a}}, response: {{body: A}}}}\n"
            "- {request: {url: /b}, response: {body: B}}\n")
    (root_dir / "mappings" / "both.yaml").write_text(text)
    runner = start_server(root_dir)
    try:
        reply = Client(runner.port).request(
            "PUT", f"/__admin/mappings/{stub_id}",
            json_body={"persistent": True, "request": {"url": "/a"}, "response": {"body": "x"}})
    finally:
        runner.stop()
    assert reply.status == 409
    error = error_of(reply)
    assert error["code"] == 10 and "multi-stub file" in error["title"]
    assert (root_dir / "mappings" / "both.yaml").read_text() == text
