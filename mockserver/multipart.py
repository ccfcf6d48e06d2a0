"""Splitting a multipart body into parts for `multipartPatterns`."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from mockserver.exchange import Part


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """Parts of a multipart body; a malformed body yields no parts rather than an error."""
    try:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
    except Exception:  # noqa: BLE001 - client input never raises
        return []
    if not message.is_multipart():
        return []
    parts: list[Part] = []
    for sub in message.iter_parts():
        payload = sub.get_payload(decode=True)
        parts.append(
            Part(
                headers=[(k, str(v)) for k, v in sub.items()],
                body=payload if isinstance(payload, bytes) else b"",
                name=sub.get_param("name", header="content-disposition"),  # type: ignore[arg-type]
                filename=sub.get_filename(),
            )
        )
    return parts
