"""mockserver: WireMock-compatible HTTP service virtualization in Python.

The public surface is `MockServer` (see `mockserver.api`); it is imported on first use, so
`import mockserver` (done by the CLI and by the auto-loaded pytest plugin) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.version import __version__

__all__ = ["MockServer", "Reply", "StubLoadError", "__version__"]

if TYPE_CHECKING:
    from mockserver.api import MockServer, Reply, StubLoadError


def __getattr__(name: str) -> Any:
    if name in ("MockServer", "Reply", "StubLoadError"):
        try:
            from mockserver import api
        except AttributeError as exc:  # else `from mockserver import` hides it as "cannot import"
            raise ImportError(f"importing mockserver.api failed: {exc!r}") from exc
        return getattr(api, name)
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
