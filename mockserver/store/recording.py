"""The recording replicas on one store share, so a start on one and a stop on another make one
recording (`/__admin/recordings`, docs/scale-out.md).

Only the recording itself lives here, under `{p}:recording` as "<status>\\n<Running JSON>": its
proxy stub and the stubs it records are shared stubs, and it is made from the shared journal.
Two scripts change it atomically, so of concurrent starts one adds a proxy stub and of
concurrent stops one records (the others find nothing running). Each change is published
("r"), and every replica's session holds it, to answer from while the store is away; admin
requests read the key first, as they read the stubs. A change made while the store is away is
queued with the replica's other changes; a store that came back empty gets the recording back
from the first replica still recording that asks for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.errors import MockServerError
from mockserver.store.replica import Replica

if TYPE_CHECKING:  # the recorder loads with the first recording a replica hears of
    from redis.commands.core import AsyncScript

    from mockserver.record.session import Held

RECORDING, STOPPED = "Recording", "Stopped"  # the session's statuses (and the scripts')

# Each script first puts back the recording the calling replica holds (ARGV[1], '' if it is
# not recording) when the store has none: it restarted empty.
HELD = """
local cur = redis.call('GET', KEYS[1])
if not cur and ARGV[1] ~= '' then
  cur = ARGV[1]
  redis.call('SET', KEYS[1], cur)
  redis.call('PUBLISH', KEYS[2], 'r\\n' .. cur)
end
"""

READ = HELD + "return cur"

BEGIN = HELD + """
if cur and string.sub(cur, 1, 10) == 'Recording\\n' then return cur end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], 'r\\n' .. ARGV[2])
return ARGV[2]
"""

END = HELD + """
if not cur or string.sub(cur, 1, 10) ~= 'Recording\\n' then return false end
local now = 'Stopped\\n' .. string.sub(cur, 11)
redis.call('SET', KEYS[1], now)
redis.call('PUBLISH', KEYS[2], 'r\\n' .. now)
return cur
"""


def encode(held: Held) -> str:
    status, running = held
    return f"{status}\n{json.dumps(running, separators=(',', ':'))}"


def decode(raw: str | bytes) -> Held:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    status, _, running = text.partition("\n")
    return status, json.loads(running)


class SharedRecording:
    """A `RecordingShare` on `replica`'s store; `adopt(status, running)` is handed every
    change another replica (or this one) publishes."""

    def __init__(self, replica: Replica, adopt: Callable[[str, dict[str, Any] | None], None],
                 ) -> None:
        self.replica = replica
        self._adopt = adopt
        client, keys = replica.store.client, replica.store.keys
        self._keys = [f"{keys.prefix}:recording", keys.channel]
        self._begin = client.register_script(BEGIN)
        self._end = client.register_script(END)
        self._read = client.register_script(READ)
        replica.on_recording = self._heard

    def _heard(self, text: str) -> None:
        """A change published on the channel (the subscriber must not fail on one)."""
        try:
            self._adopt(*decode(text))
        except (MockServerError, ValueError, KeyError, TypeError) as exc:
            self.replica.log.error("store_recording_refused", error=str(exc))

    async def settle(self) -> None:
        await self.replica.settle()

    async def read(self, held: Held) -> Held:
        done, raw = await self._call(self._read, held)
        return decode(raw) if done and raw is not None else held

    async def begin(self, proposed: dict[str, Any], held: Held) -> Held:
        value = encode((RECORDING, proposed))
        done, raw = await self._call(self._begin, held, value)
        if done:
            return decode(raw)
        if held[0] == RECORDING:  # the store is away: this replica decides on what it holds
            return held
        self.replica.queue(lambda: self._put(value))
        return RECORDING, proposed

    async def end(self, held: Held) -> dict[str, Any] | None:
        done, raw = await self._call(self._end, held)
        if done:
            return None if raw is None else decode(raw)[1]
        status, running = held
        if status != RECORDING:
            return None
        self.replica.queue(lambda: self._put(encode((STOPPED, running))))
        return running

    async def _call(self, script: AsyncScript, held: Held, *args: str) -> tuple[bool, Any]:
        own = encode(held) if held[0] == RECORDING else ""
        return await self.replica.call(lambda: script(keys=self._keys, args=[own, *args]))

    async def _put(self, value: str) -> None:
        """A change made while the store was away, sent as made."""
        key, channel = self._keys
        async with self.replica.store.client.pipeline(transaction=True) as pipe:
            pipe.set(key, value)
            pipe.publish(channel, f"r\n{value}")
            await pipe.execute()
