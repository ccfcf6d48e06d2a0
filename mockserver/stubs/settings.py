"""WireMock's global settings (`/__admin/settings`) from JSON: what an admin sends, and what
replicas sharing a store hand each other."""

from __future__ import annotations

from typing import Any

from mockserver.errors import AdminError, StubError, json_pointer
from mockserver.settings import GlobalSettings
from mockserver.stubs.chaos import parse_chaos
from mockserver.stubs.parse import parse_delay_distribution


def parse_settings(data: Any) -> GlobalSettings:
    if isinstance(data, dict) and isinstance(data.get("settings"), dict):
        data = data["settings"]
    if not isinstance(data, dict):
        raise AdminError(422, "Error parsing JSON", detail="expected a settings object")
    fixed = data.get("fixedDelay")
    if fixed is not None and (isinstance(fixed, bool) or not isinstance(fixed, int)):
        raise AdminError(422, "Error parsing JSON", pointer="/fixedDelay",
                         detail="expected an integer")
    dist_json = data.get("delayDistribution")
    try:
        dist = parse_delay_distribution(dist_json, ("delayDistribution",))
    except StubError as exc:
        raise AdminError(422, "Error parsing JSON", pointer="/delayDistribution",
                         detail=exc.message) from exc
    extended = data.get("extended")
    chaos_json = data.get("chaos")
    try:
        chaos = parse_chaos(chaos_json)
    except StubError as exc:
        raise AdminError(422, "Error parsing JSON", pointer=json_pointer(exc.path),
                         detail=exc.message) from exc
    known = {"fixedDelay", "delayDistribution", "extended", "proxyPassThrough", "chaos"}
    return GlobalSettings(
        fixed_delay=fixed,
        delay_distribution=dist,
        delay_distribution_json=dist_json,
        extended=extended if isinstance(extended, dict) else None,
        proxy_pass_through=bool(data.get("proxyPassThrough", False)),
        chaos=chaos,
        chaos_json=chaos_json if chaos is not None else None,
        extra={k: v for k, v in data.items() if k not in known},
    )
