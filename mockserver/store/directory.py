"""The namespaces replicas share: a sorted set of names, scored by when each was last used, and
the scripts that make, touch, list and remove them atomically.

A name enters the set once (the first replica to make it wins; past the limit nobody does) and
leaves it when deleted or idle for longer than the TTL on every replica; both are published on
one channel, so every replica holds the same namespaces. A namespace's own state lives under
its keyspace (`Keyspace.namespace`): making a name anew clears whatever an earlier namespace of
that name left there, and removing it deletes it.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from mockserver.store.redisdb import RedisStore

CREATE = """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('DEL', unpack(KEYS, 3))
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PUBLISH', KEYS[2], '+' .. ARGV[1])
return 2
"""

# ARGV[2]: remove only when last used before this (ms); '' removes whatever the score
DELETE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and ARGV[2] ~= '' and tonumber(score) >= tonumber(ARGV[2]) then return 0 end
redis.call('DEL', unpack(KEYS, 3))
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', KEYS[2], '-' .. ARGV[1])
return 1
"""


class Made(Enum):
    """What `Directory.create` found."""

    NEW = 2
    EXISTING = 1
    REFUSED = 0  # the limit was reached


class Directory:
    """The shared set of namespace names under `store`'s (root) keyspace."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self._create = store.client.register_script(CREATE)
        self._delete = store.client.register_script(DELETE)

    def _keys(self, name: str) -> list[str]:
        k = self.store.keys
        return [k.names, k.names_channel, *k.namespace(name).all_keys()]

    async def create(self, name: str, limit: int, now_ms: int) -> Made:
        """Add `name` unless it is there (then it counts as used now) or `limit` names are."""
        made = await self._create(keys=self._keys(name), args=[name, limit, now_ms])
        return Made(int(made))

    async def delete(self, name: str, *, idle_before_ms: int | None = None) -> bool:
        """Remove `name` and its state (only if unused since `idle_before_ms`, when given);
        whether it was there and went."""
        cutoff = "" if idle_before_ms is None else idle_before_ms
        return bool(await self._delete(keys=self._keys(name), args=[name, cutoff]))

    async def touch(self, used: dict[str, int]) -> None:
        """Names used at these times (ms); a name deleted meanwhile is not brought back."""
        if used:
            await self.store.client.zadd(self.store.keys.names, used, xx=True, gt=True)

    async def expire(self, idle_before_ms: int) -> list[str]:
        """Remove every namespace unused since `idle_before_ms`; their names."""
        idle: list[Any] = await self.store.client.zrangebyscore(
            self.store.keys.names, "-inf", f"({idle_before_ms}")
        gone = []
        for raw in idle:
            name = raw.decode()
            if await self.delete(name, idle_before_ms=idle_before_ms):
                gone.append(name)
        return gone

    async def names(self) -> dict[str, int]:
        """Every namespace and when it was last used (ms)."""
        found: list[Any] = await self.store.client.zrange(self.store.keys.names, 0, -1,
                                                          withscores=True)
        return {raw.decode(): int(score) for raw, score in found}

    async def journal_lengths(self, names: list[str]) -> list[int]:
        """How many journal entries each namespace's stream holds, in one round trip."""
        k = self.store.keys
        async with self.store.client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.xlen(k.namespace(name).journal)
            return [int(n) for n in await pipe.execute()]
