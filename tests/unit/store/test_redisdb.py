"""The store's atomic operations against a real redis-server: the journal's byte budget and
the scenario transition."""

from __future__ import annotations

import asyncio

import pytest

from tests.redis_server import RedisServer

pytest.importorskip("redis", reason="the redis client is not installed (mockserver[redis])")

from mockserver.store.redisdb import Keyspace, RedisStore  # noqa: E402 - after the skip


def _store(server: RedisServer, prefix: str = "t") -> RedisStore:
    return RedisStore(server.url, Keyspace(prefix))


def test_the_journal_keeps_to_its_byte_budget_oldest_first(redis_server: RedisServer) -> None:
    """Appending past the byte budget drops the oldest entries until the rest fit."""
    async def run() -> tuple[list[bytes], int]:
        store = _store(redis_server)
        try:
            for i in range(10):
                await store.append([(1.0, f"{i}".encode() * 100)], None, 450)
            _gen, entries, _oldest, evicted = await store.read_journal(None)
            return [e[:1] for _sid, e in entries], evicted
        finally:
            await store.close()

    kept, evicted = asyncio.run(run())
    assert kept == [b"6", b"7", b"8", b"9"]
    assert evicted == 6


def test_entries_logged_before_a_clear_are_refused(redis_server: RedisServer) -> None:
    """An entry served before another replica cleared the journal does not come back."""
    async def run() -> tuple[int, list[bytes]]:
        store = _store(redis_server)
        try:
            await store.clear_journal(100.0)
            added = await store.append([(99.5, b"old"), (100.5, b"new")], 1000, None)
            _gen, entries, _oldest, _evicted = await store.read_journal(None)
            return added, [entry for _sid, entry in entries]
        finally:
            await store.close()

    added, kept = asyncio.run(run())
    assert added == 1 and kept == [b"new"]


def test_a_transition_passes_once_from_its_required_state(redis_server: RedisServer) -> None:
    """Of many concurrent transitions out of Started, one passes; the rest see the new state."""
    async def run() -> list[tuple[bool, str]]:
        store = _store(redis_server)
        try:
            return list(await asyncio.gather(
                *(store.transition("s", "Started", "next") for _ in range(50))))
        finally:
            await store.close()

    results = asyncio.run(run())
    assert sum(passed for passed, _ in results) == 1
    assert {state for _, state in results} == {"next"}
