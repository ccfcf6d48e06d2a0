"""WireMock stub JSON (already decoded) into the model, with errors naming the key path.

Unknown keys are rejected at every level, as WireMock does: a typo in a stub must not
silently widen what it matches.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping
from typing import Any

from mockserver.errors import KeyPath, StubError, located_failures
from mockserver.matchers import parse_string_matcher
from mockserver.matchers.base import StringMatcher
from mockserver.matchers.multivalue import MultiValuePattern, parse_multi_value
from mockserver.matchers.url import URL_KEYS, UrlKind, UrlMatcher
from mockserver.model import (
    BasicAuth,
    ChunkedDribbleDelay,
    DelayDistribution,
    Fault,
    MultipartPattern,
    RequestPattern,
    ResponseDefinition,
    StubMapping,
    StubSource,
    is_template,
)
from mockserver.stubs.chaos import parse_chaos
from mockserver.stubs.dump import request_pattern_json
from mockserver.stubs.keys import (
    LISTENER_KEYS,
    MULTIPART_KEYS,
    REQUEST_KEYS,
    RESPONSE_KEYS,
    STUB_KEYS,
)


def _check_keys(obj: Mapping[str, Any], allowed: tuple[str, ...], path: KeyPath) -> None:
    for key in obj:
        if key not in allowed:
            raise StubError(
                (*path, key),
                f"unknown field {key!r} (expected one of: {', '.join(sorted(allowed))})",
            )


def _object(value: Any, path: KeyPath, what: str = "an object") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise StubError(path, f"expected {what}, got {type(value).__name__}")
    return value


def _string(value: Any, path: KeyPath) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise StubError(path, "expected a string")
    return value if isinstance(value, str) else str(value)


def _optional_string(obj: Mapping[str, Any], key: str, path: KeyPath) -> str | None:
    if obj.get(key) is None:
        return None
    return _string(obj[key], (*path, key))


def _int(value: Any, path: KeyPath) -> int:
    if isinstance(value, bool):
        raise StubError(path, "expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise StubError(path, f"expected an integer, got {value!r}")


def _number(value: Any, path: KeyPath) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise StubError(path, f"expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError as exc:
        raise StubError(path, f"expected a number, got {value!r}") from exc


def _bool(value: Any, path: KeyPath) -> bool:
    if not isinstance(value, bool):
        raise StubError(path, f"expected true or false, got {value!r}")
    return value


def parse_uuid(value: Any, path: KeyPath) -> str:
    text = _string(value, path)
    try:
        return str(uuid.UUID(text))
    except ValueError as exc:
        raise StubError(path, f"{text} is not a valid UUID") from exc


@located_failures("stub")  # one bad stub never stops a load, a reset or the admin API
def parse_stub(
    data: Any,
    *,
    source: StubSource | None = None,
    path: KeyPath = (),
    default_id: str | None = None,
) -> StubMapping:
    """One stub mapping; a missing id gets `default_id` or a random UUID (`uuid` is an alias)."""
    obj = _object(data, path, "a stub mapping object")
    _check_keys(obj, STUB_KEYS, path)
    stub_id: str | None = None
    for key in obj:  # whichever of id/uuid comes later wins, as in WireMock
        if key in ("id", "uuid") and obj[key] is not None:
            stub_id = parse_uuid(obj[key], (*path, key))
    request_data = {} if obj.get("request") is None else obj["request"]
    response_data = {} if obj.get("response") is None else obj["response"]
    request = _request_pattern(request_data, (*path, "request"))
    response = parse_response(response_data, (*path, "response"))
    if is_template(response):
        _check_templates(response, (*path, "response"), obj)
    priority = None if obj.get("priority") is None else _int(obj["priority"], (*path, "priority"))
    persistent = None if obj.get("persistent") is None else _bool(
        obj["persistent"], (*path, "persistent"))
    metadata = obj.get("metadata")
    if metadata is not None:
        metadata = dict(_object(metadata, (*path, "metadata")))
    insertion = obj.get("insertionIndex")
    return StubMapping(
        id=stub_id or default_id or str(uuid.uuid4()),
        request=request,
        response=response,
        name=_optional_string(obj, "name", path),
        priority=priority,
        persistent=persistent,
        scenario_name=_optional_string(obj, "scenarioName", path),
        required_scenario_state=_optional_string(obj, "requiredScenarioState", path),
        new_scenario_state=_optional_string(obj, "newScenarioState", path),
        metadata=metadata,
        post_serve_actions=_listeners(obj.get("postServeActions"), (*path, "postServeActions")),
        serve_event_listeners=_listeners(
            obj.get("serveEventListeners"), (*path, "serveEventListeners")),
        insertion_index=0 if insertion is None else _int(insertion, (*path, "insertionIndex")),
        source=source,
    )


def _check_templates(response: ResponseDefinition, path: KeyPath, obj: Mapping[str, Any]) -> None:
    """A template that does not compile is the stub author's mistake: refuse the stub."""
    from mockserver.respond.templating import check_templates  # only stubs that are templates

    found = check_templates(response)
    if found is None:
        return
    where, problem = found
    label = obj.get("name") or obj.get("id") or obj.get("uuid")
    stub = f" in stub {label!r}" if label else ""
    line = f" on line {problem.line} of the template" if problem.line else ""
    raise StubError((*path, *where), f"template syntax error{stub}{line}: {problem.message}")


def _listeners(value: Any, path: KeyPath) -> tuple[dict[str, Any], ...] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):  # legacy form {"name": {params}}
        return tuple({"name": k, "parameters": v} for k, v in value.items())
    if not isinstance(value, list):
        raise StubError(path, "expected a list of {name, parameters}")
    out = []
    for i, item in enumerate(value):
        entry = dict(_object(item, (*path, i)))
        _check_keys(entry, LISTENER_KEYS, (*path, i))  # WireMock refuses unknown ones too
        if "name" not in entry:
            raise StubError((*path, i, "name"), "missing listener name")
        if entry.get("parameters") is not None:
            _object(entry["parameters"], (*path, i, "parameters"))
        out.append(entry)
    return tuple(out)


def _named_multi(value: Any, path: KeyPath) -> tuple[tuple[str, MultiValuePattern], ...]:
    obj = _object(value, path)
    return tuple((str(k), parse_multi_value(v, (*path, k))) for k, v in obj.items())


@located_failures("request pattern")
def parse_request_pattern(data: Any, path: KeyPath = ()) -> tuple[RequestPattern, dict[str, Any]]:
    """A request pattern and its normalised WireMock JSON (as GET /__admin/mappings shows it)."""
    pattern = _request_pattern(data, path)
    return pattern, request_pattern_json(pattern)


def _request_pattern(data: Any, path: KeyPath) -> RequestPattern:
    obj = _object(data, path, "a request pattern object")
    _check_keys(obj, REQUEST_KEYS, path)
    url: UrlMatcher | None = None
    for key in URL_KEYS:  # precedence url > urlPattern > urlPath > urlPathPattern > template
        if obj.get(key) is not None:
            text = _string(obj[key], (*path, key))
            try:
                url = UrlMatcher.parse(UrlKind(key), text)
            except ValueError as exc:
                raise StubError((*path, key), str(exc)) from exc
            break
    method = "ANY" if obj.get("method") is None else _string(obj["method"], (*path, "method"))
    auth_key = "basicAuthCredentials" if "basicAuthCredentials" in obj else "basicAuth"
    basic_auth = None
    if obj.get(auth_key) is not None:
        auth = _object(obj[auth_key], (*path, auth_key))
        _check_keys(auth, ("username", "password"), (*path, auth_key))
        basic_auth = BasicAuth(
            _string(auth.get("username", ""), (*path, auth_key, "username")),
            _string(auth.get("password", ""), (*path, auth_key, "password")),
        )
    path_params: tuple[tuple[str, StringMatcher], ...] = ()
    if obj.get("pathParameters") is not None:
        pp = _object(obj["pathParameters"], (*path, "pathParameters"))
        path_params = tuple(
            (str(k), parse_string_matcher(v, (*path, "pathParameters", k))) for k, v in pp.items()
        )
        if url is not None and url.template is not None:
            for name, _matcher in path_params:
                if name not in url.template.names:
                    raise StubError(
                        (*path, "pathParameters", name),
                        f"no variable {{{name}}} in urlPathTemplate {url.value!r}",
                    )
    cookies: tuple[tuple[str, StringMatcher], ...] = ()
    if obj.get("cookies") is not None:
        ck = _object(obj["cookies"], (*path, "cookies"))
        cookies = tuple(
            (str(k), parse_string_matcher(v, (*path, "cookies", k))) for k, v in ck.items()
        )
    body_patterns = _body_patterns(obj.get("bodyPatterns"), (*path, "bodyPatterns"))
    multipart: tuple[MultipartPattern, ...] = ()
    if obj.get("multipartPatterns") is not None:
        items = obj["multipartPatterns"]
        if not isinstance(items, list):
            raise StubError((*path, "multipartPatterns"), "expected a list")
        multipart = tuple(
            _multipart(item, (*path, "multipartPatterns", i)) for i, item in enumerate(items)
        )
    scheme = _optional_string(obj, "scheme", path)
    port = None if obj.get("port") is None else _int(obj["port"], (*path, "port"))
    custom = obj.get("customMatcher")
    return RequestPattern(
        method=method,
        url=url,
        headers=_named_multi(obj["headers"], (*path, "headers")) if obj.get("headers") else (),
        path_parameters=path_params,
        query_parameters=_named_multi(obj["queryParameters"], (*path, "queryParameters"))
        if obj.get("queryParameters") else (),
        form_parameters=_named_multi(obj["formParameters"], (*path, "formParameters"))
        if obj.get("formParameters") else (),
        cookies=cookies,
        basic_auth=basic_auth,
        body_patterns=body_patterns,
        multipart_patterns=multipart,
        scheme=scheme,
        host=None if obj.get("host") is None
        else parse_string_matcher(obj["host"], (*path, "host")),
        port=port,
        client_ip=None if obj.get("clientIp") is None
        else parse_string_matcher(obj["clientIp"], (*path, "clientIp")),
        custom_matcher=dict(_object(custom, (*path, "customMatcher"))) if custom else None,
    )


def _body_patterns(value: Any, path: KeyPath) -> tuple[Any, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise StubError(path, "expected a list of matchers")
    return tuple(parse_string_matcher(item, (*path, i)) for i, item in enumerate(value))


def _multipart(value: Any, path: KeyPath) -> MultipartPattern:
    obj = _object(value, path)
    _check_keys(obj, MULTIPART_KEYS, path)
    matching_type = str(obj.get("matchingType") or "ANY").upper()
    if matching_type not in ("ANY", "ALL"):
        raise StubError((*path, "matchingType"), "expected ANY or ALL")
    return MultipartPattern(
        matching_type=matching_type,
        headers=_named_multi(obj["headers"], (*path, "headers")) if obj.get("headers") else (),
        body_patterns=_body_patterns(obj.get("bodyPatterns"), (*path, "bodyPatterns")),
        name=_optional_string(obj, "name", path),
        file_name=_optional_string(obj, "fileName", path),
    )


def parse_response(data: Any, path: KeyPath = ()) -> ResponseDefinition:
    obj = _object(data, path, "a response definition object")
    _check_keys(obj, RESPONSE_KEYS, path)
    status = 200 if obj.get("status") is None else _int(obj["status"], (*path, "status"))
    if status <= 0:
        status = 200
    if status > 999:
        raise StubError((*path, "status"), f"status {status} is not a valid HTTP status")
    headers: list[tuple[str, str]] = []
    shapes: list[tuple[str, bool]] = []
    if obj.get("headers") is not None:
        for name, value in _object(obj["headers"], (*path, "headers")).items():
            if isinstance(value, list):
                headers.extend((str(name), _string(v, (*path, "headers", name, i)))
                               for i, v in enumerate(value))
                shapes.append((str(name), True))
            else:
                headers.append((str(name), _string(value, (*path, "headers", name))))
                shapes.append((str(name), False))
    base64_body = _optional_string(obj, "base64Body", path)
    if base64_body is not None:
        try:
            base64.b64decode(base64_body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise StubError((*path, "base64Body"), "not valid base64") from exc
    body_file = _optional_string(obj, "bodyFileName", path)
    if body_file is not None and "{{" not in body_file and _escapes(body_file):
        raise StubError((*path, "bodyFileName"), "must be a path inside __files "
                        "(no absolute paths, no '..' leading outside)")
    fault = None
    if obj.get("fault") is not None:
        try:
            fault = Fault(obj["fault"])
        except ValueError as exc:
            raise StubError(
                (*path, "fault"),
                f"unknown fault {obj['fault']!r} (expected one of: "
                + ", ".join(f.value for f in Fault) + ")",
            ) from exc
    transformers = obj.get("transformers") or []
    if not isinstance(transformers, list):
        raise StubError((*path, "transformers"), "expected a list of names")
    params = obj.get("transformerParameters") or {}
    additional = obj.get("additionalProxyRequestHeaders") or {}
    remove = obj.get("removeProxyRequestHeaders") or []
    if not isinstance(remove, list):
        raise StubError((*path, "removeProxyRequestHeaders"), "expected a list of header names")
    fixed = obj.get("fixedDelayMilliseconds")
    source_json = {k: v for k, v in obj.items() if v is not None and k != "fromConfiguredStub"}
    source_json["status"] = status
    return ResponseDefinition(
        status=status,
        status_message=_optional_string(obj, "statusMessage", path),
        headers=tuple(headers),
        header_shapes=tuple(shapes),
        body=_optional_string(obj, "body", path),
        json_body=obj.get("jsonBody"),
        has_json_body=obj.get("jsonBody") is not None,
        base64_body=base64_body,
        body_file_name=body_file,
        fixed_delay_milliseconds=None if fixed is None
        else _int(fixed, (*path, "fixedDelayMilliseconds")),
        delay_distribution=parse_delay_distribution(
            obj.get("delayDistribution"), (*path, "delayDistribution")),
        chunked_dribble_delay=_dribble(obj.get("chunkedDribbleDelay"),
                                       (*path, "chunkedDribbleDelay")),
        fault=fault,
        proxy_base_url=_optional_string(obj, "proxyBaseUrl", path),
        proxy_url_prefix_to_remove=_optional_string(obj, "proxyUrlPrefixToRemove", path),
        additional_proxy_request_headers=tuple(
            (str(k), _string(v, (*path, "additionalProxyRequestHeaders", k)))
            for k, v in _object(additional, (*path, "additionalProxyRequestHeaders")).items()
        ),
        remove_proxy_request_headers=tuple(str(h) for h in remove),
        transformers=tuple(str(t) for t in transformers),
        transformer_parameters=dict(_object(params, (*path, "transformerParameters"))),
        chaos=parse_chaos(obj.get("chaos"), (*path, "chaos")),
        source_json=source_json,
        static_body=_static_body(obj, base64_body),
    )


def _static_body(obj: Mapping[str, Any], base64_body: str | None) -> bytes | None:
    """The body bytes when they never change (no file, whatever templating does later)."""
    if obj.get("body") is not None:
        return _string(obj["body"], ()).encode("utf-8")
    if obj.get("jsonBody") is not None:
        text = json.dumps(obj["jsonBody"], ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")
    if base64_body is not None:
        return base64.b64decode(base64_body)
    return None


def _escapes(name: str) -> bool:
    """True when a relative file name would leave the folder it is resolved in."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    depth = 0
    for part in name.replace("\\", "/").split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def parse_delay_distribution(value: Any, path: KeyPath) -> DelayDistribution | None:
    """A `delayDistribution` object (stubs and global settings share the shape)."""
    if value is None:
        return None
    obj = _object(value, path)
    kind = obj.get("type")
    if kind == "lognormal":
        _check_keys(obj, ("type", "median", "sigma", "maxValue"), path)
        max_value = obj.get("maxValue")
        return DelayDistribution(
            "lognormal",
            median=_number(obj.get("median", 0), (*path, "median")),
            sigma=_number(obj.get("sigma", 0), (*path, "sigma")),
            max_value=None if max_value is None else _number(max_value, (*path, "maxValue")),
        )
    if kind == "uniform":
        _check_keys(obj, ("type", "lower", "upper"), path)
        lower = _int(obj.get("lower", 0), (*path, "lower"))
        upper = _int(obj.get("upper", 0), (*path, "upper"))
        if upper < lower:
            raise StubError((*path, "upper"), "upper must not be less than lower")
        return DelayDistribution("uniform", lower=lower, upper=upper)
    if kind == "fixed":
        _check_keys(obj, ("type", "milliseconds"), path)
        return DelayDistribution(
            "fixed", milliseconds=_int(obj.get("milliseconds", 0), (*path, "milliseconds")))
    raise StubError((*path, "type"), f"unknown delay distribution {kind!r} "
                    "(expected one of: fixed, lognormal, uniform)")


def _dribble(value: Any, path: KeyPath) -> ChunkedDribbleDelay | None:
    if value is None:
        return None
    obj = _object(value, path)
    _check_keys(obj, ("numberOfChunks", "totalDuration"), path)
    chunks = _int(obj.get("numberOfChunks", 1), (*path, "numberOfChunks"))
    if chunks < 1:
        raise StubError((*path, "numberOfChunks"), "must be at least 1")
    return ChunkedDribbleDelay(chunks, _int(obj.get("totalDuration", 0), (*path, "totalDuration")))
