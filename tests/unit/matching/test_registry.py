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
