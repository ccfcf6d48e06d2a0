"""Which request targets belong to the admin API (and so move the connection to aiohttp)."""

from __future__ import annotations

import pytest

from mockserver.serve.wire import is_admin


@pytest.mark.parametrize(("target", "admin"), [
    (b"/hello", False),
    (b"/__admin", True),
    (b"/__admin?x=1", True),
    (b"/__admin/mappings?limit=1", True),
    (b"/__adminx", False),
    (b"/api/__admin/", False),
    (b"/%5F_admin/health", True),
    (b"http://localhost:8080/__admin/mappings", True),
    (b"http://localhost:8080/orders", False),
    (b"*", False),
    (b"/__ns/a/__admin/mappings", True),
    (b"/__ns/a/__admin", True),
    (b"/__ns/a/__admin?x=1", True),
    (b"/__ns/a/hello", False),
    (b"/__ns/a", False),
    (b"/__ns/a/api/__admin/x", False),
    (b"/__nsx/__admin/x", False),
])
def test_admin_targets(target: bytes, admin: bool) -> None:
    """`/__admin` and everything under it is the admin API's, compared decoded, in origin or
    absolute form, also under a namespace's `/__ns/{name}`; nothing else is."""
    assert is_admin(target) is admin
