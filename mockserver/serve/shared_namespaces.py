"""Namespaces shared by every replica on one store, as the default scope is.

Every replica holds every namespace of the store's set (store/directory.py), each with its own
`Replica` under its own keyspace (`{p}:ns:{name}`): stubs, journal, scenario states and
settings go through the same versioned changes, pub/sub and resyncs as the default scope's.
The replicas share the process's one `Link`: a thousand namespaces cost no connection, no
subscription and no task of their own.

- A namespace made here (first use of a name, on either plane) is served at once and made in
  the store by the first change the writer sends, ahead of anything else of it; if the store
  already had it, its state is taken from there; if the store refuses it (the limit, reached
  through other replicas), it is dropped here and its admin requests get the 429.
- "+name" / "-name" on the set's channel make and remove namespaces on the other replicas.
- Idle means idle on every replica: uses are sent as touches (at most one per namespace every
  `touch_every` seconds, gathered into one command), and the store removes a name unused for
  longer than the TTL plus that lag, so none goes early.
- When the store is away, namespaces work here alone (made, used, expired by this replica's
  clock); on reconnecting, a name the store no longer has is made again if this replica changed
  it meanwhile or the store lost its data, and dropped here otherwise (deleted elsewhere).
"""

from __future__ import annotations

import time
from typing import Any

from mockserver.serve.namespaces import Namespace, Namespaces
from mockserver.store.directory import Directory, Made
from mockserver.store.link import Link, StoreFailure
from mockserver.store.replica import Replica


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


class SharedNamespaces:
    """`Namespaces.shared`: the namespaces of `namespaces` kept alike through `link`."""

    def __init__(self, link: Link, namespaces: Namespaces) -> None:
        self.link = link
        self.namespaces = namespaces
        self.directory = Directory(link.store)
        self.log = namespaces.base.log
        self.touch_every = min(namespaces.ttl / 4, 60.0)
        self._replicas: dict[str, Replica] = {}
        self._sent: dict[str, float] = {}  # name -> when its last touch was queued (wall)
        self._touches: dict[str, int] = {}  # touches to send: name -> ms
        link.route(link.store.keys.names_channel, self._on_message, subscribe=True)

    # -- this replica's namespaces and their replicas ---------------------------------------
    def _attach(self, namespace: Namespace, *, joined: bool) -> Replica:
        name = namespace.namespace or ""
        base = self.namespaces.base.registry
        own = namespace.registry
        replica = Replica(self.link, self.link.store.sibling(self.link.store.keys.namespace(name)),
                          namespace.stubs, namespace.journal, log=namespace.log,
                          apply_settings=namespace.apply_shared_settings,
                          settings_json=namespace.settings_json,
                          lookup=lambda stub_id: own.get(stub_id) or base.get(stub_id),
                          joined=joined)
        replica.attach()
        namespace.shared = replica
        self._replicas[name] = replica
        return replica

    def _detach(self, namespace: Namespace) -> None:
        name = namespace.namespace or ""
        replica = self._replicas.get(name)
        if replica is not None and namespace.shared is replica:
            del self._replicas[name]
            self._sent.pop(name, None)
            replica.detach()
        namespace.shared = None

    def _drop(self, name: str) -> None:
        namespace = self.namespaces.drop(name)
        if namespace is not None:
            self._detach(namespace)

    def _adopt(self, name: str, last_used_ms: int | None = None) -> Replica | None:
        """A namespace the store has and this replica does not, yet: held from now on."""
        if name in self.namespaces.held():
            return None
        namespace = self.namespaces.adopt(name)
        if last_used_ms is not None:
            namespace.last_used_wall = last_used_ms / 1000
        return self._attach(namespace, joined=True)

    def stop(self) -> None:
        for namespace in list(self.namespaces.held().values()):
            self._detach(namespace)

    # -- SharedNamespaceSet -----------------------------------------------------------------
    def opened(self, namespace: Namespace) -> None:
        replica = self._attach(namespace, joined=False)
        self._sent[namespace.namespace or ""] = namespace.last_used_wall
        self.link.queue(replica, lambda: self._register(namespace, replica))

    async def _register(self, namespace: Namespace, replica: Replica) -> None:
        name = namespace.namespace or ""
        made = await self.directory.create(name, self.namespaces.limit, _ms(time.time()))
        if made is Made.REFUSED:
            self._refuse(namespace)
            return
        if made is Made.EXISTING:  # made on another replica first: take its state
            await replica.resync()
        replica.join()

    def _refuse(self, namespace: Namespace) -> None:
        namespace.refused = self.namespaces.limit_error()
        name = namespace.namespace or ""
        if self.namespaces.held().get(name) is namespace:
            self.namespaces.drop(name)
        self._detach(namespace)
        self.log.warning("namespace_refused", namespace=name, limit=self.namespaces.limit)

    def used(self, namespace: Namespace) -> None:
        name = namespace.namespace or ""
        wall = namespace.last_used_wall
        if wall - self._sent.get(name, 0.0) < self.touch_every:
            return
        self._sent[name] = wall
        waiting = bool(self._touches)
        self._touches[name] = _ms(wall)
        if not waiting:
            self.link.queue(None, self._send_touches)

    async def _send_touches(self) -> None:
        sent = dict(self._touches)
        await self.directory.touch(sent)
        for name, ms in sent.items():
            if self._touches.get(name) == ms:
                del self._touches[name]
        if self._touches:  # used meanwhile
            self.link.queue(None, self._send_touches)

    def closed(self, namespace: Namespace) -> None:
        self._detach(namespace)

    def sweep(self) -> bool:
        if not self.link.available:
            return False
        self.link.queue(None, self._expire)
        return True

    async def _expire(self) -> None:
        idle_before = time.time() - self.namespaces.ttl - self.touch_every
        gone = await self.directory.expire(_ms(idle_before))
        for name in gone:
            self._drop(name)
        if gone:
            self.log.info("namespaces_expired", names=gone, ttl_seconds=self.namespaces.ttl)

    async def delete(self, name: str) -> bool | None:
        if self.link.available:
            try:
                return await self.directory.delete(name)
            except StoreFailure as exc:
                self.link.lost(exc)
        self.link.queue(None, lambda: self.directory.delete(name))  # when it is back
        return None

    async def summaries(self) -> list[dict[str, Any]] | None:
        if not self.link.available:
            return None
        try:
            await self._expire()
            stored = await self.directory.names()
            for replica in self._reconcile(stored):
                await replica.resync()
            names = sorted(stored)
            lengths = await self.directory.journal_lengths(names)
        except StoreFailure as exc:
            self.link.lost(exc)
            return None
        held = self.namespaces.held()
        out = []
        for name, length in zip(names, lengths, strict=True):
            namespace = held.get(name)
            if namespace is None:
                continue
            bound = namespace.journal.max_entries
            out.append(namespace.summary(
                requests=length if bound is None else min(length, bound),
                last_used=max(stored[name] / 1000, namespace.last_used_wall)))
        return out

    def _reconcile(self, stored: dict[str, int]) -> list[Replica]:
        """Hold what the store has: drop what it no longer has (but namespaces made here and
        not yet in it), adopt what is missing; the replicas adopted."""
        for name in list(self.namespaces.held()):
            replica = self._replicas.get(name)
            if name not in stored and (replica is None or replica.joined):
                self._drop(name)
        adopted = []
        for name, last_used in stored.items():
            replica = self._adopt(name, last_used)
            if replica is not None:
                adopted.append(replica)
        return adopted

    # -- the set's channel ------------------------------------------------------------------
    async def _on_message(self, text: str) -> None:
        sign, name = text[:1], text[1:]
        if sign == "+":
            self._adopt(name)  # made just now: its changes follow on its channel
        elif sign == "-":
            self._drop(name)

    # -- Participant ------------------------------------------------------------------------
    async def reconnecting(self, lost: bool) -> None:
        stored = await self.directory.names()
        for name, namespace in list(self.namespaces.held().items()):
            replica = self._replicas.get(name)
            if name in stored or replica is None:
                continue
            if not (lost or replica.changed_here()):
                self._drop(name)  # deleted, or idle everywhere, while this replica was away
                continue
            made = await self.directory.create(name, self.namespaces.limit, _ms(time.time()))
            if made is Made.REFUSED:
                self._refuse(namespace)
                continue
            await replica.reseed()
            replica.join()

    async def reconnected(self) -> None:
        self._reconcile(await self.directory.names())
        for replica in list(self._replicas.values()):
            if replica.joined:
                await replica.resync()
