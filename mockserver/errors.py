"""The exception tree, so callers can catch one family at the right depth.

    MockServerError
    ├── StubError                a stub mapping is invalid (carries the key path inside the stub)
    │   └── StubFileError        ... and the file and line it came from
    ├── TemplateError            a response template does not compile or fails to render (line)
    │   ├── HandlebarsError      Handlebars the translator cannot read (respond.templating)
    │   └── HelperError          a helper refused its arguments (respond.templating)
    ├── RenderError              a matched stub cannot be answered for this request
    ├── BodyTooLarge             a request body (or its inflated form) passes the size limit
    ├── RedactionError           a redaction policy names a JSONPath that does not parse
    ├── StubStoreError           the running server's stubs refuse a change
    │   ├── DuplicateStubError   the id is already taken
    │   ├── UnknownStubError     no stub has that id
    │   └── ReadOnlyStubError    the stub lives in a file the server does not rewrite
    ├── NotRecordingError        a recording was stopped that had not been started
    ├── WebhookError             a webhook cannot be sent as defined (an ERROR sub-event)
    ├── SpecError                an OpenAPI description cannot be read (contracts.openapi)
    ├── TargetUnreachable        a drift check cannot reach the real API (contracts.drift)
    ├── RequestRefused           a request over the stub wire's limits, answered 4xx (serve.wire)
    ├── TlsError                 a keystore, certificate or truststore cannot be used (serve.tls)
    └── AdminError               an admin request is invalid (carries an HTTP status and code)

Only `AdminError` knows about HTTP; `mockserver.admin` maps the others to WireMock's answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

KeyPath = tuple[str | int, ...]
F = TypeVar("F", bound=Callable[..., Any])


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


class TemplateError(MockServerError):
    """A template problem, at a 1-based line within the template text when it is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RenderError(MockServerError):
    """The stub cannot be answered for this request (a missing body file, a failing template)."""


class BodyTooLarge(MockServerError):
    """A request body, as sent or once inflated, is larger than `--max-request-body`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the request body is larger than {limit} bytes")


class RedactionError(MockServerError):
    """A redaction option cannot be used (a JSONPath that does not parse)."""


class StubStoreError(MockServerError):
    """The running server's stubs refuse a change; `stub_id` names the stub."""

    def __init__(self, stub_id: str, message: str) -> None:
        super().__init__(message)
        self.stub_id = stub_id


class DuplicateStubError(StubStoreError):
    """A new stub asked for an id another stub already has."""


class UnknownStubError(StubStoreError):
    """No stub has the id an edit named."""


class ReadOnlyStubError(StubStoreError):
    """Persisting the stub would rewrite a file the server does not own (a multi-stub file)."""


class NotRecordingError(MockServerError):
    """A recording was stopped while none was running."""


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


class WebhookError(MockServerError):
    """A webhook's definition cannot be sent (bad URL, template, delay or body file); WireMock
    accepts any parameters with the stub, so this is reported per delivery, in the journal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
def describe(exc: BaseException) -> str:
    """An unexpected exception as one line a stub author can act on."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def located_failures(what: str) -> Callable[[F], F]:
    """Make a stub parser `parser(data, path, ...)` raise only `StubError`: whatever else a
    library raises on what a stub author wrote (lxml's TypeError, re's OverflowError, a
    RecursionError) becomes a `StubError` at the parser's `path`, so one bad stub never stops
    a load, a reload or a reset, nor becomes a 500 of the admin API."""

    def wrap(parser: F) -> F:
        @functools.wraps(parser)
        def guarded(data: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return parser(data, *args, **kwargs)
            except StubError:
                raise
            except Exception as exc:  # noqa: BLE001 - the point, see above
                path = kwargs.get("path", args[0] if args else ())
                raise StubError(path, f"cannot read this {what}: {describe(exc)}") from exc

        return cast(F, guarded)

    return wrap


class TlsError(MockServerError):
    """A keystore, certificate, key or truststore cannot be read or used for HTTPS."""
