"""The Redis side of a shared store: the keys under one prefix and the few atomic operations
replicas need, each one round trip (a Lua script or a pipeline).

    {p}:version        stub and settings changes, counted (INCR in the change script)
    {p}:stubs          hash  stub id -> "<seq>\n<stub JSON>" ("<seq>\n" marks a removed one)
    {p}:dropped        "1" once every stub was removed, files' stubs included (until a reset)
    {p}:settings       the global settings JSON
    {p}:scenarios      hash  scenario name -> state (absent: Started)
    {p}:journal        stream of journal entries, fields o (bytes so far), n (size), e (entry)
    {p}:journal:bytes  bytes ever appended;  {p}:journal:gen  bumped by a removal or a clear
    {p}:journal:gone   entries removed by an admin (not counted as evicted)
    {p}:journal:cleared  when the journal was last cleared (entries logged before are refused)
    {p}:recording      the recording every replica sees (store/recording.py)
    {p}:settle:<token> list: one item per replica that flushed its journal for a `settle`
    {p}:events         pub/sub channel: "v" changes, "s" scenario states, "j" journal generation,
                       "r" the recording, "f" a replica waits in `settle`

A prefix per state object: namespace `a` has all of the above under `{p}:ns:a`
(`Keyspace.namespace`). The root prefix also holds what is not one state object's:

    {p}:epoch          a random id set by the first replica to connect: when it changes, the
                       store lost its data (restarted without persistence)
    {p}:namespaces     sorted set  namespace name -> last used (ms since the epoch)
    {p}:namespaces:events  pub/sub channel: "+name" made, "-name" deleted or expired
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

STARTED = "Started"

CHANGE = """
local v = redis.call('INCR', KEYS[1])
local op, id, body = ARGV[2], ARGV[3], ARGV[4]
if op == 'put' then
  local old = redis.call('HGET', KEYS[2], id)
  local seq = v
  if old then seq = string.match(old, '^(%d+)') end
  redis.call('HSET', KEYS[2], id, seq .. '\\n' .. body)
elseif op == 'del' then
  redis.call('HSET', KEYS[2], id, v .. '\\n')
elseif op == 'drop' then
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[3], '1')
elseif op == 'reset' then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
elseif op == 'settings' then
  redis.call('SET', KEYS[4], body)
end
redis.call('PUBLISH', KEYS[6], 'v\\n' .. v .. '\\n' .. ARGV[1] .. '\\n' .. op .. '\\n' .. id
           .. '\\n' .. body)
return v
"""

TRANSITION = """
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or 'Started'
if ARGV[2] ~= '' and cur ~= ARGV[2] then return {0, cur} end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('PUBLISH', KEYS[2], 's\\n' .. ARGV[1] .. '\\n' .. ARGV[3])
  return {1, ARGV[3]}
end
return {1, cur}
"""

SET_STATE = """
if ARGV[1] == '' then
  local names = redis.call('HKEYS', KEYS[1])
  redis.call('DEL', KEYS[1])
  for _, name in ipairs(names) do
    redis.call('PUBLISH', KEYS[2], 's\\n' .. name .. '\\nStarted')
  end
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], 's\\n' .. ARGV[1] .. '\\n' .. ARGV[2])
return 1
"""

# A store that came back empty (restarted without persistence) takes the first reconnecting
# replica's view; a store that has a version already is left alone (returns 0). The "seed"
# change it publishes makes a replica that read the store empty meanwhile resync.
SEED = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local nstubs = tonumber(ARGV[3])
local i = 5
for s = 1, nstubs do
  redis.call('HSET', KEYS[2], ARGV[i], s .. '\\n' .. ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  i = i + 2
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', KEYS[5], 'v\\n' .. ARGV[1] .. '\\n' .. ARGV[4] .. '\\nseed\\n\\n')
return 1
"""

# Appends a batch, sent as one argument (packing and parsing hundreds of arguments costs the
# client more than Redis): entries "<logged microseconds> <size>\n<entry>" back to back. An
# entry logged before the last clear (served on one replica while another cleared the journal)
# is dropped. MAXLEN ~ caps the count, then the oldest entries go until the bytes held fit the
# budget (each entry carries the running byte total `o` and its size `n`).
APPEND = """
local maxlen, budget, blob = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local cleared = tonumber(redis.call('GET', KEYS[3]) or '0')
local pos, added = 1, 0
while pos <= #blob do
  local eol = string.find(blob, '\\n', pos, true)
  local logged, size = string.match(string.sub(blob, pos, eol - 1), '^(%d+) (%d+)$')
  size = tonumber(size)
  local entry = string.sub(blob, eol + 1, eol + size)
  pos = eol + size + 1
  if tonumber(logged) >= cleared then
    total = total + size
    added = added + 1
    if maxlen > 0 then
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'o', total, 'n', size, 'e', entry)
    else
      redis.call('XADD', KEYS[1], '*', 'o', total, 'n', size, 'e', entry)
    end
  end
end
redis.call('SET', KEYS[2], total)
local floor = total - budget
local head = {}
if budget > 0 then head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1) end
if #head > 0 and tonumber(head[1][2][2]) - tonumber(head[1][2][4]) < floor then
  while true do
    local batch = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 100)
    local gone = {}
    for _, entry in ipairs(batch) do
      local f = entry[2]
      if tonumber(f[2]) - tonumber(f[4]) < floor then gone[#gone + 1] = entry[1] else break end
    end
    if #gone == 0 then break end
    redis.call('XDEL', KEYS[1], unpack(gone))
    if #gone < #batch then break end
  end
end
return added
"""


@dataclass(frozen=True)
class Keyspace:
    prefix: str = "mockserver"

    @property
    def version(self) -> str:
        return f"{self.prefix}:version"

    @property
    def stubs(self) -> str:
        return f"{self.prefix}:stubs"

    @property
    def dropped(self) -> str:
        return f"{self.prefix}:dropped"

    @property
    def settings(self) -> str:
        return f"{self.prefix}:settings"

    @property
    def scenarios(self) -> str:
        return f"{self.prefix}:scenarios"

    @property
    def journal(self) -> str:
        return f"{self.prefix}:journal"

    @property
    def journal_bytes(self) -> str:
        return f"{self.prefix}:journal:bytes"

    @property
    def journal_gen(self) -> str:
        return f"{self.prefix}:journal:gen"

    @property
    def journal_gone(self) -> str:
        return f"{self.prefix}:journal:gone"

    @property
    def journal_cleared(self) -> str:
        return f"{self.prefix}:journal:cleared"

    @property
    def channel(self) -> str:
        return f"{self.prefix}:events"

    def settle(self, token: str) -> str:
        return f"{self.prefix}:settle:{token}"

    def all_keys(self) -> list[str]:
        """Every key of this state object (what deleting a namespace removes)."""
        return [self.version, self.stubs, self.dropped, self.settings, self.scenarios,
                self.journal, self.journal_bytes, self.journal_gen, self.journal_gone,
                self.journal_cleared]

    # -- the root prefix's own keys -----------------------------------------------------
    def namespace(self, name: str) -> Keyspace:
        return Keyspace(f"{self.prefix}:ns:{name}")

    @property
    def namespace_channels(self) -> str:
        """The pattern every namespace's channel matches (one subscription for them all)."""
        return _GLOB.sub(r"\\\g<0>", self.prefix) + ":ns:*:events"

    @property
    def names(self) -> str:
        return f"{self.prefix}:namespaces"

    @property
    def names_channel(self) -> str:
        return f"{self.prefix}:namespaces:events"

    @property
    def epoch(self) -> str:
        return f"{self.prefix}:epoch"


_GLOB = re.compile(r"[*?\[\]\\]")


@dataclass
class Snapshot:
    """Everything but the journal, read in one transaction: what a resync rebuilds from."""

    version: int
    stubs: list[tuple[int, str, str]]  # (seq, id, JSON or "" for removed), in seq order
    dropped: bool
    settings: str | None
    scenarios: dict[str, str]


class RedisStore:
    """One connection pool to one Redis database, and the operations on `keys`."""

    def __init__(self, url: str, keys: Keyspace, *, client: aioredis.Redis | None = None) -> None:
        self.url = url
        self.keys = keys
        self._owner = client is None
        self.client: aioredis.Redis = client or aioredis.from_url(
            url, socket_connect_timeout=1.0, socket_timeout=2.0, health_check_interval=5)
        self._change = self.client.register_script(CHANGE)
        self._transition = self.client.register_script(TRANSITION)
        self._set_state = self.client.register_script(SET_STATE)
        self._append = self.client.register_script(APPEND)
        self._seed = self.client.register_script(SEED)

    def sibling(self, keys: Keyspace) -> RedisStore:
        """The operations on `keys` over this store's connections (a namespace's state)."""
        return RedisStore(self.url, keys, client=self.client)

    async def close(self) -> None:
        if self._owner:
            await self.client.aclose()

    async def epoch(self, candidate: str) -> str:
        """The store's epoch id: `candidate` if it had none (it is new, or lost its data)."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.epoch, candidate, nx=True)
            pipe.get(self.keys.epoch)
            _set, value = await pipe.execute()
        return str(value.decode())

    async def change(self, origin: str, op: str, item: str = "", body: str = "") -> int:
        k = self.keys
        keys = [k.version, k.stubs, k.dropped, k.settings, k.scenarios, k.channel]
        return int(await self._change(keys=keys, args=[origin, op, item, body]))

    async def snapshot(self) -> Snapshot:
        k = self.keys
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.get(k.version)
            pipe.hgetall(k.stubs)
            pipe.get(k.dropped)
            pipe.get(k.settings)
            pipe.hgetall(k.scenarios)
            version, stubs, dropped, settings, scenarios = await pipe.execute()
        entries = []
        for stub_id, value in stubs.items():
            seq, _, body = value.decode().partition("\n")
            entries.append((int(seq), stub_id.decode(), body))
        entries.sort()
        return Snapshot(int(version or 0), entries, bool(dropped),
                        settings.decode() if settings else None,
                        {n.decode(): s.decode() for n, s in scenarios.items()})

    async def head(self) -> tuple[int, dict[str, str]]:
        """The version and the scenario states: what an admin request checks first."""
        k = self.keys
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.get(k.version)
            pipe.hgetall(k.scenarios)
            version, scenarios = await pipe.execute()
        return int(version or 0), {n.decode(): s.decode() for n, s in scenarios.items()}

    async def seed(self, origin: str, version: int, stubs: list[tuple[str, str]],
                   settings: str | None, scenarios: dict[str, str]) -> bool:
        """Fill an empty store with one replica's state; False when it is not empty."""
        k = self.keys
        args: list[str | int] = [max(version, len(stubs)), settings or "", len(stubs), origin]
        for stub_id, body in stubs:
            args += [stub_id, body]
        for name, state in scenarios.items():
            args += [name, state]
        done = await self._seed(keys=[k.version, k.stubs, k.settings, k.scenarios, k.channel],
                                args=args)
        return bool(done)

    async def transition(self, name: str, required: str | None,
                         new: str | None) -> tuple[bool, str]:
        k = self.keys
        passed, now = await self._transition(keys=[k.scenarios, k.channel],
                                              args=[name, required or "", new or ""])
        return bool(passed), now.decode() if isinstance(now, bytes) else str(now)

    async def set_state(self, name: str | None, state: str = STARTED) -> None:
        """`name` to `state`; every scenario back to Started when `name` is None."""
        await self._set_state(keys=[self.keys.scenarios, self.keys.channel],
                              args=[name or "", state])

    async def append(self, entries: list[tuple[float, bytes]], max_entries: int | None,
                     max_bytes: int | None) -> int:
        """Append (logged time, entry) pairs in order; how many were kept (entries logged
        before the journal was last cleared are not)."""
        k = self.keys
        blob = b"".join(b"%d %d\n%b" % (int(logged * 1_000_000), len(entry), entry)
                        for logged, entry in entries)
        added = await self._append(keys=[k.journal, k.journal_bytes, k.journal_cleared],
                                   args=[max_entries or 0, max_bytes or 0, blob])
        return int(added)

    async def read_journal(self, after: str | None) -> tuple[int, list[tuple[str, bytes]],
                                                              str | None, int]:
        """(generation, entries after `after` or all when None, oldest id held, evicted)."""
        k = self.keys
        start = "-" if after is None else f"({after}"
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.get(k.journal_gen)
            pipe.xrange(k.journal, start, "+")
            pipe.xrange(k.journal, "-", "+", 1)
            pipe.get(k.journal_gone)
            pipe.execute_command("XINFO", "STREAM", k.journal)
            try:
                gen, entries, first, gone, info = await pipe.execute()
            except aioredis.ResponseError:  # no stream yet
                return 0, [], None, 0
        added = _info_field(info, b"entries-added")
        length = _info_field(info, b"length")
        evicted = max(0, added - length - int(gone or 0))
        out = [(sid.decode(), fields[b"e"]) for sid, fields in entries]
        oldest = first[0][0].decode() if first else None
        return int(gen or 0), out, oldest, evicted

    async def remove_entries(self, stream_ids: list[str]) -> None:
        k = self.keys
        async with self.client.pipeline(transaction=True) as pipe:
            if stream_ids:
                pipe.xdel(k.journal, *stream_ids)
                pipe.incrby(k.journal_gone, len(stream_ids))
            pipe.incr(k.journal_gen)
            pipe.publish(k.channel, "j")
            await pipe.execute()

    async def clear_journal(self, at: float) -> None:
        """Empty the journal, and refuse entries logged before `at` that are still on their
        way from other replicas."""
        k = self.keys
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(k.journal, k.journal_bytes, k.journal_gone)
            pipe.set(k.journal_cleared, int(at * 1_000_000))
            pipe.incr(k.journal_gen)
            pipe.publish(k.channel, "j")
            await pipe.execute()

    # -- settling: every replica's journal entries so far in the store -----------------------
    async def settle_request(self, token: str) -> int:
        """Ask every replica to flush its journal and answer; how many are listening (the
        asking one too: each replica has one subscription)."""
        return int(await self.client.publish(self.keys.channel, f"f\n{token}"))

    async def settle_answer(self, token: str) -> None:
        key = self.keys.settle(token)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.rpush(key, 1)
            pipe.expire(key, 60)  # an answer after the asker gave up
            await pipe.execute()

    async def settle_wait(self, token: str, replicas: int, timeout: float) -> int:
        """How many of `replicas` answered `token` within `timeout` seconds."""
        key = self.keys.settle(token)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        answered = 0
        try:
            while answered < replicas:
                left = deadline - loop.time()
                if left <= 0 or await self.client.blpop([key], max(left, 0.01)) is None:
                    break
                answered += 1
        finally:
            await self.client.delete(key)
        return answered


def _info_field(info: Any, name: bytes) -> int:
    """A number from XINFO STREAM's reply (a flat list or, with RESP3, a dict)."""
    if isinstance(info, dict):
        value = info.get(name, info.get(name.decode(), 0))
    else:
        pairs = dict(zip(info[::2], info[1::2], strict=False))
        value = pairs.get(name, 0)
    return int(value or 0)
