"""Recorded stubs on disk: one readable YAML file per endpoint, merged on re-recording."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.record.files import INLINE_LIMIT, endpoint_stem, readable, write_recorded
from mockserver.stubs import load_directory, request_pattern_json


def stub(url: str = "/v1/customers/42", method: str = "GET", *, body: str = '{"a":1}',
         content_type: str = "application/json", stub_id: str = "", **extra: Any) -> dict[str, Any]:
    stub_id = stub_id or f"00000000-0000-4000-8000-{abs(hash((url, method, body))) % 10**12:012d}"
    return {"id": stub_id, "uuid": stub_id, "name": "n", "persistent": True,
            "request": {"url": url, "method": method},
            "response": {"status": 200, "body": body,
                         "headers": {"Content-Type": content_type, "Date": "yesterday"}},
            **extra}


@pytest.mark.parametrize(("method", "path", "stem"), [
    ("GET", "/v1/customers/cus_8Hx2kQ9zLm", "get-v1-customers-id"),
    ("GET", "/v1/customers/42/orders", "get-v1-customers-id-orders"),
    ("DELETE", "/items/3f2504e0-4f89-41d3-9a0c-0305e82c3301", "delete-items-id"),
    ("POST", "/v1/customers", "post-v1-customers"),
    ("GET", "/", "get-root"),
    ("GET", "/files/report.pdf?x=1", "get-files-report.pdf"),
    ("PUT", "/a b/ü", "put-a-b"),
    ("GET", "/v2/customer_list", "get-v2-customer_list"),
])
def test_endpoint_stems(method: str, path: str, stem: str) -> None:
    """File names read as method and path; id-like segments read `id`."""
    assert endpoint_stem(method, path) == stem


def test_readable_form() -> None:
    """Keys in reading order, no bookkeeping keys or Date, JSON as YAML structures."""
    entry = stub()
    entry["request"] = {"bodyPatterns": [{"equalToJson": '{"q":[1]}', "ignoreArrayOrder": True}],
                        "method": "POST", "url": "/s"}
    entry["scenarioName"] = "s"
    bodies: dict[str, bytes] = {}
    out = readable(entry, "post-s", bodies)
    assert list(out) == ["name", "request", "response", "scenarioName", "id"]
    assert list(out["request"]) == ["method", "url", "bodyPatterns"]
    assert out["request"]["bodyPatterns"] == [{"equalToJson": {"q": [1]},
                                              "ignoreArrayOrder": True}]
    assert out["response"] == {"status": 200, "headers": {"Content-Type": "application/json"},
                               "jsonBody": {"a": 1}}
    assert bodies == {}


def test_binary_and_large_bodies_go_to_files() -> None:
    """base64 bodies and text above the inline limit become body files named by endpoint."""
    bodies: dict[str, bytes] = {}
    binary = stub("/img.png", stub_id="12345678-0000-4000-8000-000000000000")
    del binary["response"]["body"]
    binary["response"]["base64Body"] = base64.b64encode(b"\x89PNG").decode()
    binary["response"]["headers"]["Content-Type"] = "image/png"
    out = readable(binary, "get-img.png", bodies)
    assert out["response"]["bodyFileName"] == "get-img.png-12345678.png"
    large = stub("/big", body="x" * (INLINE_LIMIT + 1), content_type="text/plain",
                 stub_id="abcdef00-0000-4000-8000-000000000000")
    out = readable(large, "get-big", bodies)
    assert out["response"]["bodyFileName"] == "get-big-abcdef00.txt"
    assert bodies == {"get-img.png-12345678.png": b"\x89PNG",
                      "get-big-abcdef00.txt": b"x" * (INLINE_LIMIT + 1)}


def test_json_scalars_and_invalid_json_stay_text() -> None:
    """Only JSON objects and arrays become jsonBody."""
    assert readable(stub(body="true"), "s", {})["response"]["body"] == "true"
    assert readable(stub(body="{nope"), "s", {})["response"]["body"] == "{nope"


def read(root: Path, name: str) -> Any:
    return yaml.safe_load((root / "mappings" / name).read_text())


def test_one_file_per_endpoint_and_method(tmp_path: Path) -> None:
    """Stubs for one endpoint share a file; a single stub is a mapping, several a list."""
    result = write_recorded([stub("/v1/customers/1"), stub("/v1/customers/2"),
                             stub("/v1/customers", "POST")], {}, tmp_path)
    names = sorted(p.name for p in (tmp_path / "mappings").iterdir())
    assert names == ["get-v1-customers-id.yaml", "post-v1-customers.yaml"]
    assert [s["request"]["url"] for s in read(tmp_path, "get-v1-customers-id.yaml")] == [
        "/v1/customers/1", "/v1/customers/2"]
    assert isinstance(read(tmp_path, "post-v1-customers.yaml"), dict)
    assert len(result.stubs) == 3 and result.replaced_ids == []
    assert len(load_directory(tmp_path / "mappings").stubs) == 3


def test_rerecording_replaces_same_requests_and_keeps_others(tmp_path: Path) -> None:
    """Same method, URL and body pattern: replaced in place; other stubs in the file stay."""
    first = [stub("/v1/customers/1", body='{"v":1}'), stub("/v1/customers/2", body='{"v":1}')]
    write_recorded(first, {}, tmp_path)
    second = [stub("/v1/customers/1", body='{"v":2}',
                   stub_id="99999999-0000-4000-8000-000000000000")]
    result = write_recorded(second, {}, tmp_path)
    stubs = read(tmp_path, "get-v1-customers-id.yaml")
    assert [(s["request"]["url"], s["response"]["jsonBody"]["v"]) for s in stubs] == [
        ("/v1/customers/1", 2), ("/v1/customers/2", 1)]
    assert result.replaced_ids == [first[0]["id"]]
    assert [s.id for s in result.kept] == [first[1]["id"]]
    assert all(s.source is not None and s.source.multi for s in result.stubs + result.kept)


def test_identical_answers_collapse_and_different_ones_stay_a_scenario(tmp_path: Path) -> None:
    """A scenario whose answers are alike becomes one stub; a real sequence keeps its states,
    renamed after the file."""
    def scenario(url: str, bodies: list[str]) -> list[dict[str, Any]]:
        out = []
        for i, body in enumerate(bodies, start=1):
            entry = stub(url, body=body, stub_id=f"{i:08d}-0000-4000-8000-{len(url):012d}",
                         scenarioName="scenario-1-x",
                         requiredScenarioState="Started" if i == 1 else f"scenario-1-x-{i}")
            if i < len(bodies):
                entry["newScenarioState"] = f"scenario-1-x-{i + 1}"
            out.append(entry)
        return out

    write_recorded(scenario("/same", ['{"a":1}', '{"a":1}']) +
                   scenario("/seq", ['{"a":1}', '{"a":2}']), {}, tmp_path)
    same = read(tmp_path, "get-same.yaml")
    assert "scenarioName" not in same
    seq = read(tmp_path, "get-seq.yaml")
    assert [(s["scenarioName"], s["requiredScenarioState"], s.get("newScenarioState"))
            for s in seq] == [("get-seq", "Started", "get-seq-2"), ("get-seq", "get-seq-2", None)]


def test_scenario_names_do_not_clash_with_existing_ones(tmp_path: Path) -> None:
    """A new scenario in a file that already has one gets the next free name."""
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "get-x.yaml").write_text(yaml.safe_dump([
        {"request": {"url": "/x?page=1", "method": "GET"}, "response": {"body": str(i)},
         "scenarioName": "get-x", "requiredScenarioState": "Started" if i == 1 else "get-x-2",
         **({"newScenarioState": "get-x-2"} if i == 1 else {})} for i in (1, 2)]))
    recorded = [stub("/x", body=f'{{"n":{i}}}', stub_id=f"{i:08d}-0000-4000-8000-000000000000",
                     scenarioName="scenario-1-x",
                     requiredScenarioState="Started" if i == 1 else "scenario-1-x-2")
                for i in (1, 2)]
    recorded[0]["newScenarioState"] = "scenario-1-x-2"
    write_recorded(recorded, {}, tmp_path)
    names = [s.get("scenarioName") for s in read(tmp_path, "get-x.yaml")]
    assert names == ["get-x", "get-x", "get-x-2", "get-x-2"]


def test_a_file_that_does_not_load_is_left_alone(tmp_path: Path) -> None:
    """A broken file for the endpoint is not overwritten; the stubs go to the next name."""
    (tmp_path / "mappings").mkdir()
    broken = tmp_path / "mappings" / "get-x.yaml"
    broken.write_text("request: [unclosed\n")
    write_recorded([stub("/x")], {}, tmp_path)
    assert broken.read_text() == "request: [unclosed\n"
    assert read(tmp_path, "get-x-2.yaml")["request"]["url"] == "/x"


def test_superseded_body_files_are_removed(tmp_path: Path) -> None:
    """Re-recording a binary answer removes the old body file it wrote."""
    def binary(stub_id: str) -> dict[str, Any]:
        entry = stub("/img.png", stub_id=stub_id)
        del entry["response"]["body"]
        entry["response"]["base64Body"] = base64.b64encode(stub_id.encode()).decode()
        entry["response"]["headers"]["Content-Type"] = "image/png"
        return entry

    write_recorded([binary("11111111-0000-4000-8000-000000000000")], {}, tmp_path)
    write_recorded([binary("22222222-0000-4000-8000-000000000000")], {}, tmp_path)
    assert sorted(p.name for p in (tmp_path / "__files").iterdir()) == [
        "get-img.png-22222222.png"]


def test_extracted_body_files_are_written(tmp_path: Path) -> None:
    """Body files the recorder extracted are written under __files."""
    entry = stub("/doc")
    entry["response"] = {"status": 200, "bodyFileName": "doc-x.json",
                         "headers": {"Content-Type": "application/json"}}
    result = write_recorded([entry], {"doc-x.json": b"{}"}, tmp_path)
    assert (tmp_path / "__files" / "doc-x.json").read_bytes() == b"{}"
    assert tmp_path / "__files" / "doc-x.json" in result.files


def test_yaml_is_what_the_loader_reads_back(tmp_path: Path) -> None:
    """The written YAML loads to the same stubs (ids, patterns, JSON bodies)."""
    entry = stub("/q", "POST", body='{"on": "yes", "n": 1.5}')
    entry["request"]["bodyPatterns"] = [{"equalToJson": '{"k":"2024-01-01"}',
                                         "ignoreExtraElements": True}]
    write_recorded([entry], {}, tmp_path)
    (loaded,) = load_directory(tmp_path / "mappings").stubs
    assert loaded.id == entry["id"]
    assert loaded.response.json_body == json.loads(entry["response"]["body"])
    patterns = request_pattern_json(loaded.request)["bodyPatterns"]
    assert patterns[0]["equalToJson"] == {"k": "2024-01-01"}
