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
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

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

    def find(self, request: Request) -> StubMapping | None:
        own = self.stubs.registry
        stub = own.find(request)
        if stub is None:
            stub = self.base.registry.find(request, own.scenarios)
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

    def summary(self) -> dict[str, Any]:
        """`GET /__admin/namespaces`: one entry."""
        used = datetime.fromtimestamp(self.last_used_wall, timezone.utc)
        return {"name": self.namespace, "stubs": len(self.stubs.registry),
                "requests": len(self.journal),
                "lastUsed": used.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


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

    def remove(self, name: str) -> Namespace | None:
        return self._by_name.pop(name, None)

    def listing(self) -> list[Namespace]:
        self.expire(self._clock())
        return sorted(self._by_name.values(), key=lambda ns: ns.namespace or "")

    def expire(self, now: float) -> list[str]:
        """Drop the namespaces idle for longer than `ttl`; their names."""
        self._next_sweep = now + self.ttl / 2
        gone = [name for name, ns in self._by_name.items() if now - ns.last_used > self.ttl]
        for name in gone:
            del self._by_name[name]
        if gone:
            self.base.log.info("namespaces_expired", names=gone, ttl_seconds=self.ttl)
        return gone

    def _create(self, name: str, now: float) -> Namespace:
        if len(self._by_name) >= self.limit:
            self.expire(now)
            if len(self._by_name) >= self.limit:
                raise NamespaceError(
                    429, f"too many namespaces: {len(self._by_name)} exist (--max-namespaces "
                    f"{self.limit}); delete one with DELETE /__admin/namespaces/{{name}} or "
                    "let idle ones expire (--namespace-ttl)", code=429)
        namespace = self._by_name[name] = Namespace(name, self.base, now)
        self.base.log.debug("namespace_created", namespace=name)
        return namespace
