"""One process's connection to a shared store: a connection pool, one pub/sub connection and one
writer task, shared by the default scope's replica and every namespace's.

A namespace costs no connection and no task of its own. Its replica's channel is covered by one
pattern subscription (`{p}:ns:*:events`), taken before any resync, so a namespace made or
changed anywhere reaches this process with nothing to subscribe to and no window in which a
change could slip between a snapshot and a subscription; the link routes each message to the
replica that holds that channel and ignores the others. Changes queue on the link in the order
they were made, whatever their keyspace, and the one writer sends them in that order (a
namespace is made in the store before its first stub is put there), gathering the journal
entries of every replica into one script call per keyspace and pass.

When the store cannot be reached, everything queues (journal entries up to a bound per
replica); on reconnecting, the `Participant`s first put back what the store lost, then the
queue goes out, then they resync.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog
from redis.exceptions import RedisError

from mockserver.store.redisdb import RedisStore

Op = Callable[[], Awaitable[Any]]
StoreFailure = (RedisError, OSError, asyncio.TimeoutError)
FLUSH_INTERVAL = 0.005  # seconds journal entries gather before an append (unless a batch fills)
BATCH = 256  # journal entries per pipelined append


class Member(Protocol):
    """A keyspace's replica, as the link drives it."""

    attached: bool

    async def on_message(self, text: str) -> None: ...

    def buffered(self) -> int:
        """Journal entries waiting for the store."""

    async def flush_journal(self) -> None:
        """Append the entries waiting (none before the keyspace is ready: a namespace made
        here waits for its name to be in the store, which clears its keyspace)."""


class Participant(Protocol):
    """Told of every (re)connection, around pushing what queued meanwhile."""

    async def reconnecting(self, lost: bool) -> None:
        """Before the queue goes out: put back what the store lost (`lost`: it lost its data
        since this process last saw it)."""

    async def reconnected(self) -> None:
        """After: take the store's state."""


class Link:
    def __init__(self, store: RedisStore, log: Any, *, max_bytes: int | None) -> None:
        self.store = store
        self.log: structlog.typing.FilteringBoundLogger = log
        self.origin = uuid.uuid4().hex  # on every change this process publishes
        self.max_bytes = max_bytes  # each shared journal's byte budget
        self.available = False
        self.last_error: str | None = None
        self.dropped = 0  # journal entries the buffers could not keep while the store was away
        self.participants: list[Participant] = []
        self._members: dict[Member, None] = {}
        self._routes: dict[str, Callable[[str], Awaitable[None]]] = {}
        # subscribed by name, with the root keyspace's; namespaces' channels by the pattern
        self._channels: list[str] = []
        self._ops: deque[tuple[Member | None, Op]] = deque()
        self._queued: dict[Member, int] = {}  # ops waiting in `_ops`, by owner
        self._journals: dict[Member, None] = {}  # members with entries to append, in order
        self._wake = asyncio.Event()
        self._urgent = False  # someone waits in drain(): flush without gathering first
        self._busy = False  # the writer is talking to the store
        self._pass_done = asyncio.Event()  # set after each of the writer's passes
        self._connected = asyncio.Event()
        self._epoch: str | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # -- wiring ---------------------------------------------------------------------------
    def route(self, channel: str, handler: Callable[[str], Awaitable[None]], *,
              subscribe: bool = False) -> None:
        """Hand messages on `channel` to `handler`; `subscribe`: the channel is not one the
        namespace pattern covers (before `start` only)."""
        self._routes[channel] = handler
        if subscribe:
            self._channels.append(channel)

    def add(self, member: Member, channel: str) -> None:
        """Share `member`'s keyspace, whose changes come on `channel`."""
        self._members[member] = None
        self._routes[channel] = member.on_message

    def discard(self, member: Member, channel: str) -> None:
        self._members.pop(member, None)
        self._routes.pop(channel, None)

    def buffered(self) -> int:
        """Journal entries waiting for the store, every keyspace's."""
        return sum(member.buffered() for member in self._members)

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, *, wait: float = 5.0) -> None:
        """Connect and resync (waiting up to `wait` seconds; the replica serves either way)."""
        self._tasks = [asyncio.create_task(self._subscribe(), name="store-subscriber"),
                       asyncio.create_task(self._write(), name="store-writer")]
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._connected.wait(), wait)
        if not self.available:
            self.log.warning("store_unavailable", store=self.store.url, error=self.last_error)

    async def stop(self) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.drain(), 2.0)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.store.close()

    def lost(self, exc: BaseException) -> None:
        if self.available:
            self.log.warning("store_lost", store=self.store.url, error=str(exc))
        self.available = False
        self.last_error = f"{exc.__class__.__name__}: {exc}"
        self._connected.clear()

    # -- receiving ------------------------------------------------------------------------
    async def _subscribe(self) -> None:
        delay = 0.1
        while True:
            pubsub = self.store.client.pubsub()
            try:
                await pubsub.subscribe(self.store.keys.channel, *self._channels)
                await pubsub.psubscribe(self.store.keys.namespace_channels)
                epoch = await self.store.epoch(uuid.uuid4().hex)
                lost = self._epoch is not None and epoch != self._epoch
                self._epoch = epoch
                for participant in self.participants:
                    await participant.reconnecting(lost)
                await self._push_queued()  # what changed here while away goes first
                for participant in self.participants:
                    await participant.reconnected()
                self.available = True
                self.last_error = None
                self._connected.set()
                self._wake.set()
                self.log.info("store_connected", store=self.store.url)
                delay = 0.1
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                       timeout=1.0)
                    if message is not None and message["type"] in ("message", "pmessage"):
                        handler = self._routes.get(message["channel"].decode("utf-8"))
                        if handler is not None:
                            await handler(message["data"].decode("utf-8"))
            except StoreFailure as exc:
                self.lost(exc)
            finally:
                with contextlib.suppress(*StoreFailure):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    # -- sending --------------------------------------------------------------------------
    def queue(self, owner: Member | None, op: Op) -> None:
        """Send `op` after everything queued before it; skipped if `owner` is detached by
        then (a namespace removed meanwhile)."""
        self._ops.append((owner, op))
        if owner is not None:
            self._queued[owner] = self._queued.get(owner, 0) + 1
        self._wake.set()

    def queued(self, owner: Member) -> bool:
        """Whether changes of `owner` wait for the store (made here while it was away)."""
        return owner in self._queued

    def journal_waiting(self, member: Member) -> None:
        self._journals[member] = None
        if self.available:
            self._wake.set()

    async def drain(self) -> None:
        """Wait until what was queued is in the store (at once when it is away)."""
        while self.available and (self._ops or self._journals or self._busy):
            self._urgent = True
            self._pass_done.clear()
            self._wake.set()
            done = asyncio.ensure_future(self._pass_done.wait())
            lost = asyncio.ensure_future(self._lost_wait())
            await asyncio.wait({done, lost}, return_when=asyncio.FIRST_COMPLETED)
            done.cancel()
            lost.cancel()

    async def _lost_wait(self) -> None:
        while self.available:
            await asyncio.sleep(0.05)

    async def _write(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self.available:
                await self._connected.wait()
            if not self._ops and not self._urgent and sum(
                    m.buffered() for m in self._journals) < BATCH:
                await asyncio.sleep(FLUSH_INTERVAL)  # entries gather: one script call a batch
            self._urgent = False
            self._busy = True
            try:
                while self._journals or self._ops:
                    await self._flush_journals()
                    if self._ops:
                        await self._run_first()
            except StoreFailure as exc:
                self.lost(exc)
            finally:
                self._busy = False
                self._pass_done.set()

    async def _run_first(self) -> None:
        owner, op = self._ops[0]
        if owner is None or owner.attached:
            await op()
        self._ops.popleft()
        if owner is not None:
            left = self._queued.pop(owner) - 1
            if left:
                self._queued[owner] = left

    async def _push_queued(self) -> None:
        while self._ops:
            await self._run_first()

    async def _flush_journals(self) -> None:
        for member in list(self._journals):
            if member.attached:
                await member.flush_journal()
            del self._journals[member]
