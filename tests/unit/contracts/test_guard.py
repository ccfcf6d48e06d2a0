"""Requests checked against an OpenAPI description: only what it covers, every violation named."""

from __future__ import annotations

import json
from pathlib import Path

from mockserver.contracts.guard import RequestGuard
from mockserver.contracts.openapi import Contract
from mockserver.exchange import Request

SPEC = Path(__file__).resolve().parents[3] / "docs" / "examples" / "petstore.yaml"


def guard() -> RequestGuard:
    return RequestGuard(Contract.load(SPEC), strict=True)


def test_conforming_and_uncovered_requests_pass() -> None:
    """A valid request, and one outside the described API, have no violations."""
    assert guard().check(Request("GET", "/api/v1/pets/42")) == []
    assert guard().check(Request("GET", "/api/v1/pets?limit=5")) == []
    assert guard().check(Request("DELETE", "/health")) == []


def test_unknown_path_under_the_prefix() -> None:
    """A path under the described prefix that is no operation is a violation."""
    found = guard().check(Request("GET", "/api/v1/pets/42/toys"))
    assert [v.where for v in found] == ["path"]


def test_parameters_and_bodies() -> None:
    """A bad query parameter and a body off the schema are named."""
    found = guard().check(Request("GET", "/api/v1/pets?limit=0"))
    assert found and found[0].where == "query.limit"
    body = json.dumps({"tag": 3}).encode()
    found = guard().check(Request("POST", "/api/v1/pets",
                                  [("Content-Type", "application/json")], body))
    messages = [str(v) for v in found]
    assert any("'name' is a required property" in m for m in messages), messages
    assert any("3 is not of type 'string'" in m for m in messages), messages


def test_problem_document() -> None:
    """The strict answer lists the violations in an RFC 9457 problem document."""
    g = guard()
    request = Request("GET", "/api/v1/pets/x/y")
    problem = json.loads(g.problem(request, g.check(request)))
    assert problem["status"] == 400 and problem["violations"][0]["where"] == "path"
    assert g.sub_event(g.check(request))["type"] == "OPENAPI_VIOLATION"
