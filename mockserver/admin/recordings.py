"""`/__admin/recordings`: start, stop, status and snapshot, with WireMock's shapes (§5.6).

The record spec accepts one extension, `redact` (`enabled`, `headers`, `queryParameters`,
`jsonPaths`), which adds to the server's own redaction options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockserver.admin.http import AdminRouter, empty_json, json_response, read_json, state_of

if TYPE_CHECKING:  # the recorder loads with the first recording request, not at start-up
    from mockserver.record import RecordSpec


async def _spec(request: web.Request) -> tuple[RecordSpec, Any]:
    """The spec, and the JSON it came from (what other replicas are handed)."""
    from mockserver.record import parse_record_spec
    from mockserver.record.session import default_redaction

    data = await read_json(request, allow_empty=True)
    return parse_record_spec(data, redaction=default_redaction(state_of(request).options)), data


async def start_recording(request: web.Request) -> web.Response:
    spec, data = await _spec(request)
    await state_of(request).recording.begin(spec, data)
    return empty_json()


async def stop_recording(request: web.Request) -> web.Response:
    return json_response((await state_of(request).recording.end()).to_json())


async def recording_status(request: web.Request) -> web.Response:
    return json_response({"status": await state_of(request).recording.current()})


async def take_snapshot(request: web.Request) -> web.Response:
    spec, _ = await _spec(request)
    return json_response((await state_of(request).recording.take_snapshot(spec)).to_json())


def add_routes(router: AdminRouter) -> None:
    a = "/__admin/recordings"
    router.add_post(f"{a}/start", start_recording)
    router.add_post(f"{a}/stop", stop_recording)
    router.add_get(f"{a}/status", recording_status)
    router.add_post(f"{a}/snapshot", take_snapshot)
