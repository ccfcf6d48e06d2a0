"""Content types as the recorder sees them: text or binary, JSON, a file extension."""

from __future__ import annotations

import mimetypes
import re

_TEXT_MIME_PARTS = ("text", "json", "xml", "html", "javascript", "ecmascript",
                    "form-urlencoded", "csv", "yaml", "graphql")


def mime_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_text_mime(mime: str) -> bool:
    return any(part in mime for part in _TEXT_MIME_PARTS)


def is_json_mime(mime: str) -> bool:
    return "json" in mime


def file_extension(content_type: str | None, path: str, body: bytes = b"") -> str:
    """`json`, `xml`, `txt` for text, a MIME lookup (`png`), the URL's extension, or sniffed."""
    mime = mime_of(content_type)
    if is_json_mime(mime):
        return "json"
    if "xml" in mime:
        return "xml"
    if "html" in mime:
        return "html"
    if mime:
        guessed = mimetypes.guess_extension(mime)
        if guessed:
            return guessed.lstrip(".")
        if is_text_mime(mime):
            return "txt"
    last = path.rsplit("/", 1)[-1]
    if "." in last and re.fullmatch(r"[A-Za-z0-9]{1,8}", last.rsplit(".", 1)[1]):
        return last.rsplit(".", 1)[1].lower()
    for magic, ext in ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"),
                       (b"%PDF", "pdf"), (b"PK\x03\x04", "zip")):
        if body.startswith(magic):
            return ext
    return "bin"
