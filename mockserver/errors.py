"""The exception tree, so callers can catch one family at the right depth.

    MockServerError
    ├── StubError            a stub mapping is invalid (carries the key path inside the stub)
    │   └── StubFileError    ... and the file and line it came from
    └── AdminError           an admin request is invalid (carries an HTTP status and code)
"""

from __future__ import annotations

from collections.abc import Sequence

KeyPath = tuple[str | int, ...]


def format_key_path(path: Sequence[str | int]) -> str:
    """`[2].request.queryParameters.page`: how a person reads a location in a stub."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def json_pointer(path: Sequence[str | int]) -> str:
    """`/request/queryParameters/page`: how WireMock's 422 envelope names a location."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class MockServerError(Exception):
    """Base of every error mockserver raises on purpose."""


class StubError(MockServerError):
    """A stub mapping (or a matcher inside one) is invalid."""

    def __init__(self, path: Sequence[str | int], message: str) -> None:
        self.path: KeyPath = tuple(path)
        self.message = message
        super().__init__(f"{format_key_path(self.path) or '(root)'}: {message}")

    def prefixed(self, prefix: Sequence[str | int]) -> StubError:
        """The same error located deeper inside a larger document."""
        err = StubError((*prefix, *self.path), self.message)
        err.__cause__ = self.__cause__
        return err


class StubFileError(StubError):
    """A stub error located in a file: `file:line: key.path: message`."""

    def __init__(
        self, file: str, line: int | None, path: Sequence[str | int], message: str
    ) -> None:
        super().__init__(path, message)
        self.file = file
        self.line = line
        self.args = (str(self),)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {format_key_path(self.path) or '(root)'}: {self.message}"


class AdminError(MockServerError):
    """An admin API request that cannot be carried out; rendered as a JSON error envelope."""

    def __init__(
        self,
        status: int,
        title: str,
        *,
        code: int = 10,
        pointer: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.code = code
        self.pointer = pointer
        self.detail = detail
