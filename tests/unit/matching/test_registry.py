"""The live stub registry: WireMock's order, edits in place, an index that never changes answers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockserver.exchange import Request
from mockserver.matching.pattern import matches
from mockserver.matching.registry import Registry
from mockserver.model import StubMapping
from mockserver.stubs.parse import parse_stub


def stub(request: dict[str, Any] | None = None, **fields: Any) -> StubMapping:
    return parse_stub({"request": request or {}, **fields})


def names(stubs: list[StubMapping]) -> list[str | None]:
    return [s.name for s in stubs]


def linear_find(registry: Registry, request: Request) -> StubMapping | None:
    return next((s for s in registry.all() if matches(s.request, request)), None)


def test_empty_registry() -> None:
    """An empty registry has no stubs and answers nothing."""
    registry = Registry()
    assert len(registry) == 0
    assert registry.all() == []
    assert registry.find(Request("GET", "/")) is None


@pytest.mark.parametrize(
    ("priorities", "expected"),
    [
        ([5, 1, None, 10], [1, 2, 0, 3]),
        ([None, None, None], [2, 1, 0]),
        ([10, 0, 1, 5], [1, 2, 3, 0]),
        ([-1, 0], [0, 1]),
        ([5, None, 5], [2, 1, 0]),
        ([None, 5, 4, 6, 5], [2, 4, 1, 0, 3]),
    ],
)
def test_order_is_priority_then_newest_first(
    priorities: list[int | None], expected: list[int]
) -> None:
    """Stubs sort by priority ascending (absent = 5), newest first among equals."""
    registry = Registry()
    for position, priority in enumerate(priorities):
        registry.add(stub(name=str(position), priority=priority))
    assert names(registry.all()) == [str(i) for i in expected]


def test_find_takes_the_first_in_order() -> None:
    """Of several matching stubs, the highest priority wins, then the newest."""
    registry = Registry()
    registry.add(stub({"urlPath": "/a"}, name="old"))
    registry.add(stub({"urlPath": "/a"}, name="new"))
    assert registry.find(Request("GET", "/a")).name == "new"
    registry.add(stub({"urlPathPattern": "/.*"}, name="important", priority=1))
    assert registry.find(Request("GET", "/a")).name == "important"
    registry.add(stub({"urlPath": "/a"}, name="newest-low", priority=6))
    assert registry.find(Request("GET", "/a")).name == "important"


def test_insertion_indexes_grow() -> None:
    """Each added stub gets a larger insertion index than the last."""
    registry = Registry()
    indexes = [registry.add(stub()).insertion_index for _ in range(5)]
    assert indexes == sorted(indexes)
    assert len(set(indexes)) == 5


def test_replace_keeps_position() -> None:
    """An edited stub keeps its insertion index, so it does not jump ahead of newer stubs."""
    registry = Registry()
    first = registry.add(stub({"urlPath": "/a"}, name="first"))
    registry.add(stub({"urlPath": "/a"}, name="second"))
    edited = registry.replace(
        parse_stub({"id": first.id, "name": "first-edited", "request": {"urlPath": "/a"}})
    )
    assert edited.insertion_index == first.insertion_index
    assert names(registry.all()) == ["second", "first-edited"]
    assert registry.find(Request("GET", "/a")).name == "second"
    assert registry.get(first.id) is edited


def test_replace_reindexes_a_changed_url() -> None:
    """Replacing a stub with a different URL moves it to the new URL's bucket."""
    registry = Registry()
    original = registry.add(stub({"urlPath": "/x"}, name="s"))
    registry.replace(
        parse_stub({"id": original.id, "name": "s", "request": {"urlPathPattern": "/y/.*"}})
    )
    assert registry.find(Request("GET", "/x")) is None
    assert registry.find(Request("GET", "/y/1")).name == "s"
    assert len(registry) == 1


def test_replace_unknown_id_raises() -> None:
    """Only an existing stub can be replaced."""
    with pytest.raises(KeyError):
        Registry().replace(stub())


def test_add_with_existing_id_moves_it_to_the_front() -> None:
    """Re-adding a stub id (delete and create) makes it the newest."""
    registry = Registry()
    first = registry.add(stub({"urlPath": "/a"}, name="first"))
    registry.add(stub({"urlPath": "/a"}, name="second"))
    again = registry.add(
        parse_stub({"id": first.id, "name": "again", "request": {"urlPath": "/a"}})
    )
    assert len(registry) == 2
    assert names(registry.all()) == ["again", "second"]
    assert again.insertion_index > first.insertion_index


def test_remove() -> None:
    """A removed stub is gone from lookups, listings and answers; removing twice is harmless."""
    registry = Registry()
    keep = registry.add(stub({"urlPath": "/a"}, name="keep", priority=6))
    gone = registry.add(stub({"urlPath": "/a"}, name="gone"))
    assert registry.remove(gone.id) is gone
    assert gone.id not in registry
    assert registry.get(gone.id) is None
    assert registry.all() == [keep]
    assert registry.find(Request("GET", "/a")) is keep
    assert registry.remove(gone.id) is None
    assert registry.remove("no-such-id") is None
    assert len(registry) == 1


def test_remove_empties_buckets() -> None:
    """Removing the last stub of a path or segment leaves nothing behind to answer."""
    registry = Registry()
    ids = [
        registry.add(stub({"url": "/a/b"})).id,
        registry.add(stub({"urlPathPattern": "/a/.*"})).id,
        registry.add(stub({"urlPathTemplate": "/a/{x}"})).id,
        registry.add(stub()).id,
    ]
    for stub_id in ids:
        registry.remove(stub_id)
    assert len(registry) == 0
    assert registry.find(Request("GET", "/a/b")) is None
    assert list(registry.candidates(Request("GET", "/a/b"))) == []


def test_clear() -> None:
    """clear drops every stub and scenario."""
    registry = Registry()
    registry.add(stub({"urlPath": "/a"}, scenarioName="s"))
    registry.clear()
    assert len(registry) == 0
    assert registry.find(Request("GET", "/a")) is None
    assert registry.scenarios.names() == []


def test_get_contains_and_iteration() -> None:
    """Stubs are found by id and iterate in matching order."""
    registry = Registry()
    low = registry.add(stub(priority=9))
    high = registry.add(stub(priority=1))
    assert registry.get(low.id) is low
    assert high.id in registry
    assert "nope" not in registry
    assert list(registry) == [high, low]


@pytest.mark.parametrize(
    ("request_json", "url"),
    [
        ({"url": "/a/b?x=1"}, "/a/b?x=1"),
        ({"urlPath": "/a/b"}, "/a/b?anything"),
        ({"urlPathPattern": "/a/[a-z]+"}, "/a/bc"),
        ({"urlPattern": "/a/b\\?x=.*"}, "/a/b?x=1"),
        ({"urlPathTemplate": "/a/{b}"}, "/a/zz"),
        ({"urlPathPattern": "(?i)/A/B"}, "/a/b"),
        ({"urlPattern": "/a/b|/c/d"}, "/c/d"),
        ({}, "/whatever"),
        ({"url": "/"}, "/"),
        ({"urlPath": "/"}, "/?q"),
    ],
)
def test_each_kind_of_stub_is_found(request_json: dict[str, Any], url: str) -> None:
    """Every URL kind (and none) is reachable through the index."""
    registry = Registry()
    added = registry.add(stub(request_json))
    registry.add(stub({"urlPath": "/unrelated"}))
    assert registry.find(Request("GET", url)) is added


SEGMENTS = ["api", "users", "orders", "v1", "files", "a", "b", "x y", "%20", "Users"]
VALUES = ["1", "42", "abc", "x", "z"]


def random_stub_json(rng: random.Random) -> dict[str, Any]:
    def path(depth: int) -> str:
        return "/" + "/".join(rng.choice(SEGMENTS) for _ in range(depth))

    first = rng.choice(SEGMENTS)
    other = rng.choice(SEGMENTS)
    kind = rng.choice(
        ["url", "url", "urlPath", "urlPath", "pathPattern", "pattern", "alternation",
         "template", "none", "caseless", "anchored"]
    )
    request: dict[str, Any] = {}
    if kind == "url":
        query = rng.choice(["", "", "?q=1", "?q=abc&r=2"])
        request["url"] = path(rng.randint(1, 3)) + query
    elif kind == "urlPath":
        request["urlPath"] = path(rng.randint(1, 3))
    elif kind == "pathPattern":
        tail = rng.choice(["[a-z0-9]+", ".*", "\\d+", "v?1", "[^/]+/.*"])
        request["urlPathPattern"] = f"/{first}/{tail}"
    elif kind == "pattern":
        request["urlPattern"] = f"/{first}/" + rng.choice([".*", "[a-z]+\\?q=.*", "\\d+(\\?.*)?"])
    elif kind == "alternation":
        request["urlPattern"] = rng.choice(
            [f"/({first}|{other})/.*", f"/{first}/1|/{other}/.*", f"/{first}(/.*)?|/"]
        )
    elif kind == "template":
        request["urlPathTemplate"] = rng.choice(
            [f"/{first}/{{id}}", f"/{first}/**", f"/{first}/{{a}}/{other}", f"/{{a}}/{other}",
             f"/{first}/{other}"]
        )
    elif kind == "caseless":
        request[rng.choice(["urlPattern", "urlPathPattern"])] = f"(?i)/{first.upper()}/.*"
    elif kind == "anchored":
        request["urlPathPattern"] = f"^/{first}/[a-z]+$"
    if rng.random() < 0.3:
        request["method"] = rng.choice(["GET", "POST", "GET_OR_HEAD"])
    if rng.random() < 0.2:
        request["queryParameters"] = {"q": {"equalTo": rng.choice(VALUES)}}
    if rng.random() < 0.15:
        request["headers"] = {"X-Tag": {"matches": rng.choice(["[0-9]+", "[a-z]+"])}}
    out: dict[str, Any] = {"request": request, "name": kind}
    if kind == "none":  # catch-alls sit low, or they would answer every request
        out["priority"] = rng.choice([8, 10])
    elif rng.random() < 0.4:
        out["priority"] = rng.choice([1, 3, 5, 7, 10])
    return out


def random_request(rng: random.Random) -> Request:
    depth = rng.randint(0, 3)
    path = "/" + "/".join(rng.choice(SEGMENTS + VALUES) for _ in range(depth))
    if rng.random() < 0.2:
        path = path.upper()
    if rng.random() < 0.3:
        path += "/"
    if rng.random() < 0.4:
        path += rng.choice(["?q=1", "?q=abc&r=2", "?q=z", "?r=1"])
    headers = [("X-Tag", rng.choice(VALUES))] if rng.random() < 0.5 else []
    return Request(rng.choice(["GET", "POST", "HEAD"]), path, headers=headers)


def assert_index_agrees(registry: Registry, requests: list[Request]) -> int:
    found = 0
    for request in requests:
        expected = linear_find(registry, request)
        actual = registry.find(request)
        assert actual is expected, (request.method, request.url, expected, actual)
        found += actual is not None
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_indexed_find_equals_linear_scan(seed: int) -> None:
    """With ~300 random stubs of every kind, find answers exactly like a linear scan."""
    rng = random.Random(seed)
    registry = Registry()
    for _ in range(300):
        registry.add(parse_stub(random_stub_json(rng)))
    requests = [random_request(rng) for _ in range(300)]
    found = assert_index_agrees(registry, requests)
    assert found > 50  # the random requests do exercise matching stubs

    # edits and removals keep the index consistent
    stubs = registry.all()
    rng.shuffle(stubs)
    for victim in stubs[:60]:
        registry.remove(victim.id)
    for target in stubs[60:120]:
        data = random_stub_json(rng)
        data["id"] = target.id
        registry.replace(parse_stub(data))
    for _ in range(40):
        registry.add(parse_stub(random_stub_json(rng)))
    assert len(registry) == 280
    assert_index_agrees(registry, requests + [random_request(rng) for _ in range(100)])


def test_candidates_are_in_matching_order() -> None:
    """Candidates from several buckets come merged in priority/newest order."""
    rng = random.Random(7)
    registry = Registry()
    for _ in range(200):
        registry.add(parse_stub(random_stub_json(rng)))
    order = {s.id: i for i, s in enumerate(registry.all())}
    for _ in range(100):
        ranks = [order[s.id] for s in registry.candidates(random_request(rng))]
        assert ranks == sorted(ranks)


API_SEGMENTS = ["users", "orders", "pattern", "3", "17", "detail", "a%2Fb", "x y", ""]
API_VALUES = ["1", "42", "abc", "7x", "", "detail", "users"]
API_TAILS = ["[0-9]+", "[^/]+", "\\d+", "[a-z0-9-]+", "(users|orders)", "(?:v1|v2)?",
             "item-[0-9]{2,3}", "[^/?]*", ".*", ".+/detail", "users?", "\\.json", "x y"]


def api_stub_json(rng: random.Random, serial: int) -> dict[str, Any]:
    """Stubs as real services write them: everything under `/api/v1/`, most URL kinds."""
    def seg() -> str:
        return rng.choice(API_SEGMENTS)

    def tail() -> str:
        return "/".join(rng.choice([seg(), rng.choice(API_TAILS)])
                        for _ in range(rng.randint(0, 3)))

    base = rng.choice(["/api/v1/", "/api/v1/", "/api/v2/", "/api/", "/api/v1/users/"])
    kind = rng.choice(["urlPath", "urlPath", "url", "urlPathPattern", "urlPathPattern",
                       "urlPattern", "urlPathTemplate", "alternation", "anchored", "any"])
    request: dict[str, Any] = {}
    if kind in ("urlPath", "url"):
        path = base + "/".join(seg() for _ in range(rng.randint(0, 3)))
        if rng.random() < 0.2:
            path += "/"
        request[kind] = path + (rng.choice(["", "?q=1"]) if kind == "url" else "")
    elif kind == "urlPathPattern":
        request[kind] = base + tail() + rng.choice(["", "", "/", "/?", "$", "/detail"])
    elif kind == "urlPattern":
        request[kind] = base + tail() + rng.choice(["", "\\?q=[0-9]+", "(\\?.*)?", "\\?q=.*"])
    elif kind == "urlPathTemplate":
        request[kind] = base + "/".join(
            rng.choice([seg(), f"{{id{n}}}", f"{{name{n}}}-x", "**"])
            for n in range(rng.randint(1, 3)))
    elif kind == "alternation":
        request["urlPathPattern"] = rng.choice(
            [f"{base}users|{base}orders/[0-9]+", f"/api/(v1|v2)/{seg()}", f"(/api)?/v1/{seg()}",
             f"{base}(a|b/c)"])
    elif kind == "anchored":
        request["urlPathPattern"] = f"^{base}{tail()}$"
    if rng.random() < 0.5:
        request["method"] = rng.choice(["GET", "POST", "ANY", "GET_OR_HEAD", "PUT"])
    if rng.random() < 0.15:
        request["headers"] = {"X-Tag": {"matches": rng.choice(["[0-9]+", "[a-z]+"])}}
    out: dict[str, Any] = {"request": request, "name": f"{kind}-{serial}"}
    if kind == "any":
        out["priority"] = rng.choice([8, 10])
    elif rng.random() < 0.4:
        out["priority"] = rng.choice([1, 3, 5, 7, 10])
    if rng.random() < 0.1:
        out["scenarioName"] = rng.choice(["flow", "other"])
        out["requiredScenarioState"] = rng.choice(["Started", "second"])
        out["newScenarioState"] = rng.choice(["Started", "second"])
    return out


def api_request(rng: random.Random) -> Request:
    parts = [rng.choice(API_SEGMENTS + API_VALUES) for _ in range(rng.randint(0, 4))]
    path = rng.choice(["/api/v1/", "/api/v2/", "/api/", "/api/v1/users/", "/v1/", "/"])
    path += "/".join(parts)
    if rng.random() < 0.3:
        path += rng.choice(["?q=1", "?q=x/y", "?r=1"])
    headers = [("X-Tag", rng.choice(API_VALUES))] if rng.random() < 0.5 else []
    return Request(rng.choice(["GET", "POST", "HEAD", "PUT"]), path, headers=headers)


def linear_find_eligible(registry: Registry, request: Request) -> StubMapping | None:
    return next((s for s in registry.all()
                 if matches(s.request, request) and registry.scenarios.eligible(s)), None)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_trie_find_equals_linear_scan_under_a_shared_prefix(seed: int) -> None:
    """With 400 stubs sharing `/api/v1/` (templates, classes, alternations, priorities,
    scenarios), find answers exactly like a linear scan, also after edits and removals."""
    rng = random.Random(seed)
    registry = Registry()
    for serial in range(400):
        registry.add(parse_stub(api_stub_json(rng, serial)))
    requests = [api_request(rng) for _ in range(600)]
    found = 0
    for request in requests:
        expected = linear_find_eligible(registry, request)
        actual = registry.find(request)  # fires the scenario transition after comparing
        assert actual is expected, (request.method, request.url, expected, actual)
        found += actual is not None
    assert found > 100

    stubs = registry.all()
    rng.shuffle(stubs)
    for victim in stubs[:100]:
        registry.remove(victim.id)
    for target in stubs[100:200]:
        data = api_stub_json(rng, 1000)
        data["id"] = target.id
        registry.replace(parse_stub(data))
    for serial in range(2000, 2100):
        registry.add(parse_stub(api_stub_json(rng, serial)))
    for request in requests:
        expected = linear_find_eligible(registry, request)
        assert registry.find(request) is expected, (request.method, request.url)


def test_trie_prunes_removed_paths() -> None:
    """Removing every stub leaves no path behind: lookups and neighbourhoods come back empty."""
    rng = random.Random(9)
    registry = Registry()
    ids = [registry.add(parse_stub(api_stub_json(rng, i))).id for i in range(200)]
    for stub_id in ids:
        registry.remove(stub_id)
    request = Request("GET", "/api/v1/users/1")
    assert list(registry.candidates(request)) == []
    assert registry.nearby(request, 50) == []


def test_nearby_is_bounded_and_ordered() -> None:
    """The near-miss neighbourhood stays within its cap among 3,000 stubs under one prefix,
    holds the stubs next to the request's path, and comes in matching order."""
    registry = Registry()
    for i in range(1000):
        registry.add(stub({"method": "GET", "urlPath": f"/api/v1/items/{i}"}))
        registry.add(stub({"method": "POST", "urlPathPattern": f"/api/v1/pattern/{i}/[0-9]+"}))
        registry.add(stub({"urlPathTemplate": f"/api/v1/orders/{i}/{{id}}"}))
    near = registry.nearby(Request("POST", "/api/v1/pattern/512/x"), 50)
    assert len(near) <= 150
    assert any(s.request.url.value == "/api/v1/pattern/512/[0-9]+" for s in near)
    order = {s.id: i for i, s in enumerate(registry.all())}
    assert [order[s.id] for s in near] == sorted(order[s.id] for s in near)
