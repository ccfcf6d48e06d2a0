"""mockserver: WireMock-compatible HTTP service virtualization in Python."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
