"""`/__admin/scenarios`: list, reset, and set the state of scenario state machines."""

from __future__ import annotations

from aiohttp import web

from mockserver.admin.http import AdminRouter, empty_json, json_response, read_json, state_of
from mockserver.errors import AdminError
from mockserver.matching.scenarios import possible_states
from mockserver.model import STARTED
from mockserver.stubs import stub_to_json


async def list_scenarios(request: web.Request) -> web.Response:
    state = state_of(request)
    stubs = state.scenario_stubs()
    out = []
    for name in state.scenario_names():
        out.append({
            "id": name,
            "name": name,
            "state": state.scenario_state(name),
            "possibleStates": possible_states(stubs, name),
            "mappings": [stub_to_json(s) for s in stubs if s.scenario_name == name],
        })
    return json_response({"scenarios": out})


async def reset_scenarios(request: web.Request) -> web.Response:
    state_of(request).registry.scenarios.reset()
    return empty_json()


async def set_scenario_state(request: web.Request) -> web.Response:
    state = state_of(request)
    name = request.match_info["name"]
    scenarios = state.registry.scenarios
    if state.scenario_state(name) is None:
        raise AdminError(404, f"Scenario {name} does not exist", code=404)
    data = await read_json(request, allow_empty=True)
    if data is None:
        scenarios.reset(name)
        return empty_json()
    if not isinstance(data, dict):
        raise AdminError(422, "Error parsing JSON", detail='expected {"state": "<state>"}')
    for key in data:  # WireMock's ScenarioState model refuses what it does not know
        if key != "state":
            raise AdminError(422, "Error parsing JSON", pointer=f"/{key}",
                             detail=f"unknown field {key!r} (expected: state)")
    target = data.get("state")
    if target is None:
        scenarios.reset(name)
        return empty_json()
    if target not in possible_states(state.scenario_stubs(), name):
        raise AdminError(422, f"Scenario {name} does not support state {target}", code=11)
    scenarios.set_state(name, str(target))
    return empty_json()


async def reset_one_scenario(request: web.Request) -> web.Response:
    state = state_of(request)
    name = request.match_info["name"]
    if state.scenario_state(name) is None:
        raise AdminError(404, f"Scenario {name} does not exist", code=404)
    state.registry.scenarios.set_state(name, STARTED)
    return empty_json()


def add_routes(router: AdminRouter) -> None:
    a = "/__admin"
    router.add_get(f"{a}/scenarios", list_scenarios)
    router.add_post(f"{a}/scenarios/reset", reset_scenarios)
    router.add_put(f"{a}/scenarios/{{name}}/state", set_scenario_state)
    router.add_post(f"{a}/scenarios/{{name}}/reset", reset_one_scenario)
