"""The nearest stubs to an unmatched request: all graded when few, a neighbourhood when many."""

from __future__ import annotations

from mockserver.exchange import Request
from mockserver.matching import nearmiss
from mockserver.matching.nearmiss import nearest_stubs
from mockserver.matching.registry import Registry
from mockserver.stubs.parse import parse_stub


def big_registry() -> Registry:
    registry = Registry()
    for i in range(3000):
        kind = i % 3
        if kind == 0:
            request = {"method": "GET", "urlPath": f"/api/v1/items/{i}"}
        elif kind == 1:
            request = {"method": "POST", "urlPathPattern": f"/api/v1/pattern/{i}/[0-9]+/detail"}
        else:
            request = {"method": "GET", "urlPath": f"/api/v1/tenants/{i}",
                       "headers": {"X-Tenant": {"equalTo": f"t{i}"}}}
        registry.add(parse_stub({"request": request, "name": str(i)}))
    return registry


def test_many_stubs_still_find_the_intended_one() -> None:
    """Among 3,000 stubs under `/api/v1/`, a wrong header, method or path tail still names the
    stub that was meant."""
    registry = big_registry()
    assert len(registry) > nearmiss.GRADE_ALL_BELOW
    wrong_header = Request("GET", "/api/v1/tenants/1502", headers=[("X-Tenant", "t1503")])
    wrong_method = Request("GET", "/api/v1/pattern/1501/7/detail")
    wrong_tail = Request("POST", "/api/v1/pattern/1501/7/details")
    assert [n.stub.name for n in nearest_stubs(registry, wrong_header, 1)] == ["1502"]
    assert [n.stub.name for n in nearest_stubs(registry, wrong_method, 1)] == ["1501"]
    assert [n.stub.name for n in nearest_stubs(registry, wrong_tail, 1)] == ["1501"]


def test_many_stubs_grade_a_bounded_neighbourhood() -> None:
    """Past the threshold a 404 grades at most three neighbourhoods' worth of stubs."""
    registry = big_registry()
    near = registry.nearby(Request("GET", "/api/v1/items/missing"), nearmiss.NEIGHBOURHOOD)
    assert 0 < len(near) <= 3 * nearmiss.NEIGHBOURHOOD
    assert all(s.request.url.value.startswith("/api/v1/items/") for s in near)


def test_few_stubs_grade_every_stub() -> None:
    """Below the threshold the nearest stub is found however far its URL is."""
    registry = Registry()
    registry.add(parse_stub({"request": {"urlPath": "/somewhere/else"}, "name": "far"}))
    registry.add(parse_stub({"request": {"method": "POST", "urlPath": "/x"}, "name": "post"}))
    near = nearest_stubs(registry, Request("GET", "/somewhere/els"), 2)
    assert [n.stub.name for n in near] == ["far", "post"]
