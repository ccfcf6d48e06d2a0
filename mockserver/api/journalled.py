"""Journalled requests as a tester reads them: headers by any case, query by name, `.json()`.

The server's own `Request` keeps headers as an ordered list of pairs (matching needs the order
and the repeats); a test wants `r.headers["authorization"]` and `r.json()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mockserver.exchange import Request
from mockserver.journal import ServeEvent

__all__ = ["Headers", "JournalledRequest", "MultiValues"]


class MultiValues(Mapping[str, str]):
    """Name -> first value, with `get_all(name)` for repeated names; order is as sent."""

    def __init__(self, pairs: list[tuple[str, str]], *, fold_case: bool = False) -> None:
        self._fold = fold_case
        self._values: dict[str, list[str]] = {}
        self._names: dict[str, str] = {}  # folded -> first spelling seen
        for name, value in pairs:
            key = self._key(name)
            self._names.setdefault(key, name)
            self._values.setdefault(key, []).append(value)

    def _key(self, name: str) -> str:
        return name.lower() if self._fold else name

    def __getitem__(self, name: str) -> str:
        return self._values[self._key(name)][0]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def get_all(self, name: str) -> list[str]:
        """Every value sent under `name` (empty when it was not sent)."""
        return list(self._values.get(self._key(name), []))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class Headers(MultiValues):
    """Request headers: names compare case-insensitively, as HTTP says."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs, fold_case=True)


class JournalledRequest:
    """One request the server received, and which stub (if any) answered it."""

    def __init__(self, event: ServeEvent) -> None:
        request = event.request
        self.raw: Request = request
        self.method: str = request.method
        self.url: str = request.url
        self.path: str = request.url.partition("?")[0] or "/"
        self.headers = Headers(list(request.headers))
        self.query = MultiValues(
            [(name, value) for name, values in request.query.items() for value in values])
        self.body: bytes = request.body
        self.matched: bool = event.was_matched
        self.stub_id: str | None = event.stub.id if event.stub is not None else None
        self.stub_name: str | None = event.stub.name if event.stub is not None else None
        self.status: int = event.status

    @property
    def text(self) -> str:
        """The body decoded with the request's charset (UTF-8 when it names none)."""
        return self.raw.content.text or ""

    def json(self) -> Any:
        """The body parsed as JSON; raises `ValueError` naming the request when it is not."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ValueError(f"{self.method} {self.url}: body is not JSON: {exc}") from exc

    def __repr__(self) -> str:
        return f"<JournalledRequest {self.method} {self.url} -> {self.status}>"
