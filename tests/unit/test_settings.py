"""Process options: sizes as people write them."""

from __future__ import annotations

import pytest

from mockserver.settings import byte_size


@pytest.mark.parametrize(("text", "size"), [
    ("1048576", 1048576), ("512KiB", 512 * 1024), ("50MiB", 50 * 1024 * 1024),
    ("1GiB", 1024**3), ("64mb", 64_000_000), ("2 MiB", 2 * 1024 * 1024),
])
def test_byte_size(text: str, size: int) -> None:
    """Bytes, or a number with a binary (KiB) or decimal (kb) unit."""
    assert byte_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-1", "5TB", "MiB", "1.5MiB"])
def test_byte_size_refuses(text: str) -> None:
    """Anything else is a ValueError naming the accepted forms."""
    with pytest.raises(ValueError, match="expected e.g."):
        byte_size(text)
