"""One scope's state shared through a store: the default scope's, or one namespace's, each under
its own keyspace. It shares what changes here and applies what changed elsewhere, so replicas
behind one load balancer answer as one server. The connection, pub/sub and the writer task are
the `Link`'s, shared by every replica of a process.

The serving path stays local. Matching reads this replica's registry; journal entries queue
here and the link's writer appends them in pipelined batches after the response; only a scenario
stub waits for the store (its gate and transition are one atomic script there).

Stub and settings changes carry a version: a replica applies version v+1 from pub/sub and
resyncs in full (files' stubs, then the shared changes in order) after any gap, on start and
on every reconnect. Admin requests read through `refresh()` (the journal caught up with every
replica's entries, stubs at the newest version) and answer after `drain()` (their change is in
the store), so an admin client sees one consistent server whichever replica it reaches.

When the store cannot be reached the replica keeps serving the stubs it has, keeps up to
`buffer` journal entries, decides scenario gates on its cached states, and reports itself
unavailable; it reconnects on its own, pushes what it queued, then resyncs.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import structlog

from mockserver.errors import MockServerError
from mockserver.journal import Journal, ServeEvent
from mockserver.matching.scenarios import Scenarios
from mockserver.model import STARTED, StubMapping
from mockserver.store.codec import StubLookup, decode_event, encode_event, encode_stub
from mockserver.store.link import BATCH, Link, Op, StoreFailure
from mockserver.store.redisdb import Keyspace, RedisStore, Snapshot
from mockserver.stubs.parse import parse_stub
from mockserver.stubs.store import StubStore

DEFAULT_JOURNAL_BYTES = 64 * 1024 * 1024
SETTLE_TIMEOUT = 1.0  # seconds `settle` waits for the other replicas' answers


def _sid_key(sid: str) -> tuple[int, int]:
    ms, _, seq = sid.partition("-")
    return int(ms), int(seq or 0)


class Replica:
    """Shares `stubs`, `journal` and the scenario states through `store` (one keyspace),
    over `link`.

    `apply_settings(json)` installs settings another replica set; `lookup` finds the stub a
    journal entry names (by default among `stubs`). `joined` is False for a namespace made
    here until its name is in the store: until then its journal entries wait.
    """

    def __init__(self, link: Link, store: RedisStore, stubs: StubStore, journal: Journal, *,
                 apply_settings: Callable[[str], None], log: Any,
                 settings_json: Callable[[], str | None] = lambda: None,
                 lookup: StubLookup | None = None, joined: bool = True,
                 buffer: int = 10_000) -> None:
        self.link = link
        self.store = store
        self.stubs = stubs
        self.journal = journal
        self.log: structlog.typing.FilteringBoundLogger = log
        self.version = 0
        self.attached = False
        self.joined = joined
        self._apply_settings = apply_settings
        self._settings_json = settings_json
        self._lookup = lookup or stubs.registry.get
        self._applying = False  # applying another replica's change: share nothing back
        self._pending: deque[ServeEvent] = deque(maxlen=buffer)
        self._sids: dict[str, str] = {}  # journal entry id -> stream id
        self._last_sid: str | None = None
        self._journal_gen = -1
        self.on_recording: Callable[[str], None] | None = None  # "r" messages (store.recording)

    @property
    def scenarios(self) -> Scenarios:
        return self.stubs.registry.scenarios

    @property
    def available(self) -> bool:
        return self.link.available

    def attach(self) -> None:
        """Listen to the services and to the keyspace's channel."""
        self.stubs.listener = self
        self.journal.listener = self
        self.scenarios.shared = self
        self.link.add(self, self.store.keys.channel)
        self.attached = True

    def detach(self) -> None:
        """Stop sharing (changes still queued for this keyspace are skipped)."""
        self.attached = False
        self.link.discard(self, self.store.keys.channel)
        self.stubs.listener = None
        self.journal.listener = None
        self.scenarios.shared = None
        self._pending.clear()

    def changed_here(self) -> bool:
        """Whether changes or journal entries made here wait for the store."""
        return bool(self._pending) or self.link.queued(self)

    def join(self) -> None:
        """The namespace's name is in the store: its journal entries may go."""
        self.joined = True
        if self._pending:
            self.link.journal_waiting(self)

    # -- Participant (the default scope's; namespaces' go through SharedNamespaces) -------
    async def reconnecting(self, lost: bool) -> None:
        await self.reseed()

    async def reconnected(self) -> None:
        await self.resync()

    # -- receiving ----------------------------------------------------------------------
    async def reseed(self) -> None:
        """After a store restarted empty, the stubs, settings and scenario states this replica
        still holds go back in (the first replica to reconnect wins; the others resync)."""
        if self.version == 0:
            return
        snap = await self.store.snapshot()
        if snap.version != 0:
            return
        # every stub held goes in, files' stubs too (their copy then wins over the files,
        # as an edit would); files' stubs removed here go in as removed
        held = sorted(self.stubs.registry.all(), key=lambda s: s.insertion_index)
        stubs = [(s.id, encode_stub(s)) for s in held]
        kept = {s.id for s in held}
        stubs += [(s.id, "") for s in self.stubs.file_stubs if s.id not in kept]
        scenarios = {n: st for n in self.scenarios.names()
                     if (st := self.scenarios.state(n)) is not None}
        if await self.store.seed(self.link.origin, self.version, stubs, self._settings_json(),
                                 scenarios):
            self.log.warning("store_reseeded", keyspace=self.store.keys.prefix,
                             stubs=len(stubs))

    async def on_message(self, text: str) -> None:
        kind, _, rest = text.partition("\n")
        if kind == "f":  # a replica waits in settle(): this one's journal entries go first
            await self.drain()
            await self.store.settle_answer(rest)
        elif kind == "r" and self.on_recording is not None:
            self.on_recording(rest)
        elif kind == "s":
            name, _, state = rest.partition("\n")
            self.scenarios.cached(name, state)
        elif kind == "v":
            version, origin, op, item, body = rest.split("\n", 4)
            v = int(version)
            if v <= self.version:
                return
            if op == "seed" and origin == self.link.origin:  # the store holds what we hold
                self.version = v
                return
            if v != self.version + 1 or op == "seed":
                self.log.info("store_resync", have=self.version, seen=v)
                await self.resync()
                return
            self.version = v
            if origin != self.link.origin or op in ("put", "del", "settings"):
                # our own put/del/settings again: harmless, and it restores a change that a
                # resync taken before it reached the store had dropped here
                self._apply(op, item, body)

    def _apply(self, op: str, item: str, body: str) -> None:
        registry = self.stubs.registry
        self._applying = True
        try:
            if op == "put":
                self._put(parse_stub_json(body))
            elif op == "del":
                registry.remove(item)
            elif op == "drop":
                registry.clear()
            elif op == "reset":
                self.stubs.reset(quiet=True)
            elif op == "settings":
                self._apply_settings(body)
        except MockServerError as exc:  # a stub another version wrote and this one refuses
            self.log.error("store_change_refused", op=op, item=item, error=str(exc))
        finally:
            self._applying = False

    def _put(self, stub: StubMapping) -> None:
        registry = self.stubs.registry
        old = registry.get(stub.id)
        if old is None:
            registry.add(stub)
        else:
            registry.replace(stub.with_changes(source=old.source))

    async def resync(self) -> None:
        """Rebuild the stubs, settings and scenario states from the store."""
        snap = await self.store.snapshot()
        self._rebuild(snap)

    def _rebuild(self, snap: Snapshot) -> None:
        registry = self.stubs.registry
        self._applying = True
        try:
            registry.clear()
            if not snap.dropped:
                for stub in self.stubs.file_stubs:
                    registry.add(stub)
            for _seq, stub_id, body in snap.stubs:
                if not body:
                    registry.remove(stub_id)
                    continue
                try:
                    self._put(parse_stub_json(body))
                except MockServerError as exc:
                    self.log.error("store_change_refused", op="put", item=stub_id,
                                   error=str(exc))
            for name, state in snap.scenarios.items():
                self.scenarios.cached(name, state)
            if snap.settings is not None:
                self._apply_settings(snap.settings)
            self.version = snap.version
        finally:
            self._applying = False

    async def refresh(self, *, journal: bool = True) -> None:
        """Before an admin request: stubs at the newest version, scenario states and (with
        `journal`) the journal as the store has them. Nothing when the store is away (local
        answers)."""
        if not self.available:
            return
        try:
            await self.drain()
            if not self.attached:  # a namespace removed, or refused by the store, meanwhile
                return
            version, states = await self.store.head()
            if version < self.version:  # the store restarted empty: put back what we hold
                await self.reseed()
            if version != self.version:  # a change not seen yet (pub/sub lags or lost it)
                self._rebuild(await self.store.snapshot())
            else:
                for name in {*self.scenarios.names(), *states}:
                    self.scenarios.cached(name, states.get(name, STARTED))
            if journal:
                await self._catch_up()
        except StoreFailure as exc:
            self.link.lost(exc)

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Return once what this replica changed is in the store, every replica listening has
        applied it and flushed the journal entries it held, and this replica's journal has
        them all: requests answered anywhere before the call are in it (a replica that does
        not answer within `timeout` is waited for no longer). At once when the store is away."""
        await self.drain()
        if not self.available:
            return
        token = uuid.uuid4().hex
        try:
            replicas = await self.store.settle_request(token)
            answered = await self.store.settle_wait(token, replicas, timeout)
        except StoreFailure as exc:
            self.link.lost(exc)
            return
        if answered < replicas:
            self.log.warning("store_settle_incomplete", replicas=replicas, answered=answered)
        await self.refresh()

    async def _catch_up(self) -> None:
        gen, entries, oldest, evicted = await self.store.read_journal(self._last_sid)
        full = gen != self._journal_gen
        if full:
            gen, entries, oldest, evicted = await self.store.read_journal(None)
        events: list[ServeEvent] = []
        lookup = self._lookup
        for sid, raw in entries:
            try:
                event = decode_event(raw, lookup)
            except (ValueError, KeyError, TypeError) as exc:
                self.log.error("journal_entry_unreadable", stream_id=sid, error=str(exc))
                continue
            local = self.journal.get(event.id)
            events.append(local if local is not None else event)
            self._sids[event.id] = sid
        unsent = {e.id for e in self._pending}
        floor = _sid_key(oldest) if oldest is not None else None

        def keep(event: ServeEvent) -> bool:
            if event.id in unsent:
                return True
            sid = self._sids.get(event.id)
            return not full and sid is not None and floor is not None and _sid_key(sid) >= floor

        self.journal.mirror(events, keep=keep)
        self._sids = {i: s for i, s in self._sids.items() if self.journal.get(i) is not None}
        if entries:
            self._last_sid = entries[-1][0]
        elif full:
            self._last_sid = None
        self._journal_gen = gen
        self.journal.evicted = evicted

    # -- sending ------------------------------------------------------------------------
    async def drain(self) -> None:
        """Wait until what was queued here is in the store (at once when it is away)."""
        await self.link.drain()

    def _queue(self, op: Op) -> None:
        self.link.queue(self, op)

    def buffered(self) -> int:
        return len(self._pending)

    def queue(self, op: Op) -> None:
        """Send `op` in order with this replica's other changes (once back, when the store is
        away)."""
        self._queue(op)

    async def call(self, op: Op) -> tuple[bool, Any]:
        """`op` against the store now: (True, its result), or (False, None) when the store is
        away or goes away meanwhile (the caller answers from what it holds)."""
        if not self.available:
            return False, None
        try:
            return True, await op()
        except StoreFailure as exc:
            self.link.lost(exc)
            return False, None

    async def flush_journal(self) -> None:
        while self._pending and self.joined:
            batch = [self._pending[i] for i in range(min(BATCH, len(self._pending)))]
            payloads = [(e.request.logged_date, encode_event(e)) for e in batch]
            await self.store.append(payloads, self.journal.max_entries, self.link.max_bytes)
            for _ in batch:
                self._pending.popleft()

    # -- StubListener -------------------------------------------------------------------
    def changed(self, stub: StubMapping) -> None:
        if not self._applying:
            body = encode_stub(stub)
            self._queue(lambda: self.store.change(self.link.origin, "put", stub.id, body))

    def removed(self, stub: StubMapping) -> None:
        if not self._applying:
            stub_id = stub.id
            self._queue(lambda: self.store.change(self.link.origin, "del", stub_id))

    def removed_all(self) -> None:
        if not self._applying:
            self._queue(lambda: self.store.change(self.link.origin, "drop"))

    def reset(self) -> None:
        if not self._applying:
            self._queue(lambda: self.store.change(self.link.origin, "reset"))

    def settings_changed(self, settings_json: str) -> None:
        self._queue(lambda: self.store.change(self.link.origin, "settings", "", settings_json))

    # -- JournalListener ----------------------------------------------------------------
    def entry_added(self, event: ServeEvent) -> None:
        if len(self._pending) == self._pending.maxlen:
            self.link.dropped += 1
        self._pending.append(event)
        if self.joined:
            self.link.journal_waiting(self)

    def entries_removed(self, events: list[ServeEvent]) -> None:
        if self._applying:
            return
        ids = [e.id for e in events]
        self._queue(lambda: self.store.remove_entries(
            [s for s in (self._sids.pop(i, None) for i in ids) if s]))

    def entries_cleared(self) -> None:
        if self._applying:
            return
        self._pending.clear()
        self._sids.clear()
        at = time.time()
        self._queue(lambda: self.store.clear_journal(at))

    # -- SharedScenarios ----------------------------------------------------------------
    async def transition(self, name: str, required: str | None,
                         new: str | None) -> tuple[bool, str] | None:
        if not self.available:
            return None
        try:
            return await self.store.transition(name, required, new)
        except StoreFailure as exc:
            self.link.lost(exc)
            return None

    def state_set(self, name: str, state: str) -> None:
        self._queue(lambda: self.store.set_state(name, state))

    def states_reset(self, name: str | None) -> None:
        self._queue(lambda: self.store.set_state(name))

    def status(self) -> dict[str, Any]:
        """What `/__admin/store` shows (the default scope's replica: the version is its)."""
        link = self.link
        return {"type": "redis", "available": link.available, "error": link.last_error,
                "version": self.version, "journalBuffered": link.buffered(),
                "journalDropped": link.dropped, "replica": link.origin}


def parse_stub_json(body: str) -> StubMapping:
    return parse_stub(json.loads(body))


def open_link(url: str, log: Any) -> Link:
    """A link to the store at `url`: redis://host:port/db, with `prefix=NAME` (keys under
    NAME:, default mockserver) and `journal_bytes=N` (each shared journal's byte budget,
    default 64 MiB, 0 for none) as query parameters."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    prefix = query.pop("prefix", ["mockserver"])[0]
    budget = int(query.pop("journal_bytes", [str(DEFAULT_JOURNAL_BYTES)])[0])
    rest = "&".join(f"{k}={v}" for k, values in query.items() for v in values)
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment))
    return Link(RedisStore(clean, Keyspace(prefix)), log, max_bytes=budget or None)
