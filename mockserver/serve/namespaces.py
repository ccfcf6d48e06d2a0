"""Namespaces: isolated scopes inside one server, so parallel test runs can share it.

A request to `/__ns/{name}/rest` (or one carrying `X-Mock-Namespace: {name}`) is served by
namespace `{name}`, made on first use. Each namespace has its own stubs, journal, scenario
states, settings, chaos counters and recording; the default scope's stubs show through as a
lower layer: the namespace's registry is asked first, then the default registry (with the
namespace's own scenario states), so a namespace stub beats any default stub whatever their
priorities, and nothing of the default layer is copied per request or per namespace.

Finding the namespace is one dict lookup. Idle namespaces are dropped after `ttl` seconds
(checked lazily, at most twice per `ttl`, on the next use of any namespace); `limit` bounds
how many exist, past which a new name is refused with a 429.

With a store, `shared` (serve/shared_namespaces.py) keeps the namespaces the same on every
replica: a namespace made here is made everywhere, the store decides which are idle (unused on
every replica) and where the limit falls, and a deletion anywhere removes it here.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from mockserver.errors import AdminError
from mockserver.exchange import Request
from mockserver.matching.nearmiss import NEAREST, NearMiss, nearest_stubs
from mockserver.model import STARTED, StubMapping
from mockserver.serve.scope import Scope
from mockserver.stubs.store import StubStore

if TYPE_CHECKING:
    from mockserver.serve.state import ServerState

PREFIX = "/__ns/"
HEADER = "X-Mock-Namespace"
NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
DEFAULT_TTL = 3600.0
DEFAULT_LIMIT = 1000


class NamespaceError(AdminError):
    """A namespace name that is not one, or one namespace too many (WireMock's error JSON)."""


_HEADER_KEY = HEADER.lower().encode()


def namespace_header(raw_headers: list[tuple[bytes, bytes]]) -> str | None:
    """`X-Mock-Namespace` among the parser's raw headers, without decoding the others."""
    size = len(_HEADER_KEY)
    for name, value in raw_headers:
        if len(name) == size and name.lower() == _HEADER_KEY:
            return value.decode("latin-1")
    return None


def refusal_json(error: NamespaceError) -> bytes:
    """WireMock's error envelope, for a stub request whose namespace was refused."""
    item = {"code": error.code, "title": error.title}
    return json.dumps({"errors": [item]}, indent=2).encode()


def check_name(name: str) -> str:
    if NAME.fullmatch(name) is None:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise NamespaceError(400, f"invalid namespace name {shown!r}: use 1-64 of "
                             "A-Z a-z 0-9 . _ -")
    return name


class Namespace(Scope):
    """One namespace's scope over the default scope `base`."""

    def __init__(self, name: str, base: ServerState, now: float) -> None:
        log = base.log.bind(namespace=name)
        super().__init__(base.options, log,
                         StubStore(base.options.mappings_dir, log, on_disk=False))
        self.namespace = name
        self.base = base
        self.webhooks = base.webhooks  # one pool per server; a namespace reset keeps its records
        self.last_used = now  # monotonic seconds
        self.last_used_wall = time.time()
        self.refused: NamespaceError | None = None  # set when the shared store refused it
        # the default stubs' scenarios have states of their own here (shared ones too)
        self.stubs.registry.scenarios.lower = base.registry.scenarios

    async def refresh(self) -> None:
        base = self.base.shared
        if base is not None:  # the default stubs show through: at their newest too
            await base.refresh(journal=False)
        await super().refresh()

    async def settle(self) -> None:
        base = self.base.shared
        if base is not None:
            await base.refresh(journal=False)
        await super().settle()

    def admit(self) -> None:
        if self.refused is not None:
            raise self.refused

    def find(self, request: Request) -> StubMapping | None:
        own = self.stubs.registry
        stub = own.find(request)
        if stub is None:
            stub = self.base.registry.find(request, own.scenarios)
        return stub

    def find_ungated(self, request: Request) -> tuple[StubMapping | None, bool]:
        own = self.stubs.registry
        stub, gated = own.find_ungated(request)
        if stub is None and not gated:
            stub, gated = self.base.registry.find_ungated(request, own.scenarios)
        return stub, gated

    async def find_async(self, request: Request) -> StubMapping | None:
        own = self.stubs.registry
        stub = await own.find_async(request)
        if stub is None:
            stub = await self.base.registry.find_async(request, own.scenarios)
        return stub

    def nearest(self, request: Request, limit: int = NEAREST) -> list[NearMiss]:
        found = nearest_stubs(self.stubs.registry, request, limit)
        found += nearest_stubs(self.base.registry, request, limit)
        found.sort(key=lambda near: near.match.distance)  # stable: own stubs first on ties
        return found[:limit]

    def scenario_stubs(self) -> list[StubMapping]:
        return self.stubs.registry.all() + self.base.registry.all()

    def scenario_state(self, name: str) -> str | None:
        own = self.stubs.registry.scenarios.state(name)
        if own is None and self.base.registry.scenarios.state(name) is not None:
            return STARTED  # a default scenario this namespace has not moved yet
        return own

    def scenario_names(self) -> list[str]:
        names = dict.fromkeys(self.stubs.registry.scenarios.names())
        names.update(dict.fromkeys(self.base.registry.scenarios.names()))
        return list(names)

    def summary(self, *, requests: int | None = None,
                last_used: float | None = None) -> dict[str, Any]:
        """`GET /__admin/namespaces`: one entry (`requests` and `last_used`, wall seconds, as
        the shared store counts them, when there is one)."""
        wall = self.last_used_wall if last_used is None else last_used
        used = datetime.fromtimestamp(wall, timezone.utc)
        return {"name": self.namespace, "stubs": len(self.stubs.registry),
                "requests": len(self.journal) if requests is None else requests,
                "lastUsed": used.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


class SharedNamespaceSet(Protocol):
    """The namespaces every replica on one store holds alike."""

    def opened(self, namespace: Namespace) -> None:
        """`namespace` was made here: make it in the store (a refusal sets `refused`)."""

    def used(self, namespace: Namespace) -> None: ...

    def closed(self, namespace: Namespace) -> None:
        """`namespace` was dropped here alone (idle while the store was away)."""

    def sweep(self) -> bool:
        """Remove the namespaces idle on every replica; False when the store is away."""

    async def delete(self, name: str) -> bool | None:
        """Remove `name` everywhere: whether the store had it, None when it is away."""

    async def summaries(self) -> list[dict[str, Any]] | None:
        """The listing as the store has it; None when it is away."""

    def stop(self) -> None: ...


class Namespaces:
    """The namespaces of one server, by name; `clock` is monotonic seconds (injected)."""

    def __init__(self, base: ServerState, *, ttl: float = DEFAULT_TTL,
                 limit: int = DEFAULT_LIMIT, clock: Callable[[], float] = time.monotonic,
                 ) -> None:
        self.base = base
        self.ttl = ttl
        self.limit = limit
        self._clock = clock
        self._by_name: dict[str, Namespace] = {}
        self._next_sweep = clock() + ttl / 2
        self.shared: SharedNamespaceSet | None = None

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Namespace:
        """The namespace called `name`, made on first use; its idle clock starts again."""
        now = self._clock()
        if now >= self._next_sweep:
            self.expire(now)
        found = self._by_name.get(name)
        if found is None:
            found = self._create(check_name(name), now)
        else:
            found.last_used = now
            found.last_used_wall = time.time()
            if self.shared is not None:
                self.shared.used(found)
        return found

    def select(self, raw_path: str, header: str | None) -> tuple[Scope, str, str]:
        """The scope a data-plane request belongs to, its URL as that scope sees it, and the
        prefix taken off (for `request.baseUrl`): `/__ns/{name}/rest` -> `/rest`."""
        if raw_path.startswith(PREFIX):
            start = len(PREFIX)
            end = raw_path.find("/", start)
            if end < 0:
                end = raw_path.find("?", start)
            name = raw_path[start:] if end < 0 else raw_path[start:end]
            prefix = PREFIX + name
            rest = raw_path[len(prefix):] or "/"
            if rest[0] == "?":
                rest = "/" + rest
            return self.get(name), rest, prefix
        if header:
            return self.get(header), raw_path, ""
        return self.base, raw_path, ""

    def held(self) -> dict[str, Namespace]:
        return self._by_name

    def adopt(self, name: str) -> Namespace:
        """A namespace another replica made (past the limit too: the store allowed it)."""
        found = self._by_name.get(name)
        if found is None:
            found = self._by_name[name] = Namespace(name, self.base, self._clock())
        return found

    def drop(self, name: str) -> Namespace | None:
        """Forget `name` here only."""
        return self._by_name.pop(name, None)

    async def delete(self, name: str) -> bool:
        """Remove `name` (on every replica, with a store); whether it existed."""
        found = self.drop(name)
        if self.shared is not None:
            if found is not None:
                self.shared.closed(found)
            stored = await self.shared.delete(name)
            if stored is not None:
                return stored or found is not None
        return found is not None

    async def summaries(self) -> list[dict[str, Any]]:
        """`GET /__admin/namespaces`, by name."""
        if self.shared is not None:
            shared = await self.shared.summaries()
            if shared is not None:
                return shared
        return [ns.summary() for ns in self.listing()]

    def listing(self) -> list[Namespace]:
        self.expire(self._clock())
        return sorted(self._by_name.values(), key=lambda ns: ns.namespace or "")

    def expire(self, now: float) -> list[str]:
        """Drop the namespaces idle for longer than `ttl`; their names. With a store that can
        be reached it decides, and the names go when it says so."""
        self._next_sweep = now + self.ttl / 2
        if self.shared is not None and self.shared.sweep():
            return []
        gone = [name for name, ns in self._by_name.items() if now - ns.last_used > self.ttl]
        for name in gone:
            namespace = self._by_name.pop(name)
            if self.shared is not None:
                self.shared.closed(namespace)
        if gone:
            self.base.log.info("namespaces_expired", names=gone, ttl_seconds=self.ttl)
        return gone

    def limit_error(self) -> NamespaceError:
        return NamespaceError(
            429, f"too many namespaces: {len(self._by_name)} exist (--max-namespaces "
            f"{self.limit}); delete one with DELETE /__admin/namespaces/{{name}} or "
            "let idle ones expire (--namespace-ttl)", code=429)

    def _create(self, name: str, now: float) -> Namespace:
        if len(self._by_name) >= self.limit:
            self.expire(now)
            if len(self._by_name) >= self.limit:
                raise self.limit_error()
        namespace = self._by_name[name] = Namespace(name, self.base, now)
        self.base.log.debug("namespace_created", namespace=name)
        if self.shared is not None:
            self.shared.opened(namespace)
        return namespace
