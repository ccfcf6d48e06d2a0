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


def test_a_repeated_miss_is_answered_as_before_until_the_stubs_change() -> None:
    """The same unmatched request again gets the nearest stubs found the first time; a stub
    added or removed makes them found afresh; another header is another request."""
    registry = big_registry()

    def miss(tenant: str = "t1503") -> Request:
        return Request("GET", "/api/v1/tenants/1502", headers=[("X-Tenant", tenant)])

    first = nearest_stubs(registry, miss(), 1)
    assert [n.stub.name for n in first] == ["1502"]
    assert [n.stub for n in nearest_stubs(registry, miss(), 1)] == [n.stub for n in first]
    assert [n.stub.name for n in nearest_stubs(registry, miss("acme-corp"), 1)] == ["152"]

    exact = registry.add(parse_stub({"name": "exact", "request": {
        "method": "GET", "urlPath": "/api/v1/tenants/1502",
        "headers": {"X-Tenant": {"equalTo": "t1503"}}}}))
    assert [n.stub.name for n in nearest_stubs(registry, miss(), 1)] == ["exact"]
    registry.remove(exact.id)
    assert [n.stub.name for n in nearest_stubs(registry, miss(), 1)] == ["1502"]
    registry.remove(first[0].stub.id)
    assert [n.stub.name for n in nearest_stubs(registry, miss(), 1)] != ["1502"]


def test_requests_with_large_bodies_are_not_remembered() -> None:
    """A body past the signature's bound is graded every time (nothing that size is kept)."""
    registry = big_registry()
    big = Request("POST", "/api/v1/items/3", body=b"x" * 20_000)
    assert big.signature() is None
    assert [n.stub.name for n in nearest_stubs(registry, big, 1)] == ["3"]
    assert nearmiss._MEMO not in registry.derived
