"""Content types as the recorder sees them."""

from __future__ import annotations

import pytest

from mockserver.record import file_extension


@pytest.mark.parametrize(("content_type", "path", "body", "ext"), [
    ("application/json", "/a", b"", "json"), ("application/xml", "/a", b"", "xml"),
    ("text/plain", "/a", b"", "txt"), ("text/html", "/a", b"", "html"),
    ("image/png", "/a", b"", "png"), ("application/x-unknown-thing", "/a.dat", b"", "dat"),
    (None, "/a", b"\x89PNG...", "png"), (None, "/a", b"??", "bin"),
])
def test_file_extensions(content_type: str | None, path: str, body: bytes, ext: str) -> None:
    """From the content type, else the URL's extension, else the body's magic bytes."""
    assert file_extension(content_type, path, body) == ext
