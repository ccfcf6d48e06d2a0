"""The shared set of namespaces against a real redis-server: made once within a limit, touched
without being brought back, removed with their state only when idle."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from tests.redis_server import RedisServer

pytest.importorskip("redis", reason="the redis client is not installed (mockserver[redis])")

from mockserver.store.directory import Directory, Made  # noqa: E402 - after the skip
from mockserver.store.redisdb import Keyspace, RedisStore  # noqa: E402

T = TypeVar("T")


def run(server: RedisServer, body: Callable[[Directory], Awaitable[T]]) -> T:
    async def go() -> T:
        store = RedisStore(server.url, Keyspace("t"))
        try:
            return await body(Directory(store))
        finally:
            await store.close()

    return asyncio.run(go())


def test_a_name_is_made_once_and_no_name_past_the_limit(redis_server: RedisServer) -> None:
    """Of many replicas making one name at once, one makes it; past the limit none is made."""
    async def body(directory: Directory) -> tuple[list[Made], Made, Made]:
        made = await asyncio.gather(*(directory.create("a", 2, 1000) for _ in range(20)))
        second = await directory.create("b", 2, 1000)
        third = await directory.create("c", 2, 1000)
        return list(made), second, third

    made, second, third = run(redis_server, body)
    assert made.count(Made.NEW) == 1 and made.count(Made.EXISTING) == 19
    assert (second, third) == (Made.NEW, Made.REFUSED)


def test_a_name_made_anew_starts_from_an_empty_keyspace(redis_server: RedisServer) -> None:
    """State an earlier namespace of that name left (a change that raced its deletion) is
    cleared when the name is made again, and deleting a name removes its state."""
    async def body(directory: Directory) -> tuple[int, int]:
        space = directory.store.sibling(Keyspace("t").namespace("a"))
        await space.change("origin", "put", "id-1", "{}")
        await directory.create("a", 10, 1000)
        left = len((await space.snapshot()).stubs)
        await space.change("origin", "put", "id-2", "{}")
        await directory.delete("a")
        return left, await directory.store.client.exists(*space.keys.all_keys())

    assert run(redis_server, body) == (0, 0)


def test_only_names_idle_since_the_cutoff_expire(redis_server: RedisServer) -> None:
    """Expiry removes the names last used before the cutoff; a touch keeps a name and never
    brings back one that is gone, nor moves a last use back in time."""
    async def body(directory: Directory) -> tuple[list[str], dict[str, int]]:
        for name in ("idle", "busy", "later"):
            await directory.create(name, 10, 1000)
        await directory.touch({"busy": 5000, "gone": 5000})
        await directory.touch({"later": 9000})
        await directory.touch({"later": 2000})
        gone = await directory.expire(3000)
        return gone, await directory.names()

    gone, left = run(redis_server, body)
    assert gone == ["idle"]
    assert left == {"busy": 5000, "later": 9000}


def test_a_prefix_with_glob_characters_is_escaped_in_the_pattern() -> None:
    """The namespaces' channel pattern matches the prefix literally."""
    assert Keyspace("env[1]*").namespace_channels == r"env\[1\]\*:ns:*:events"
    assert Keyspace("mockserver").namespace("a").channel == "mockserver:ns:a:events"
