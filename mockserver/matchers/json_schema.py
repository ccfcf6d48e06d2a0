"""`matchesJsonSchema`: JSON Schema validation (drafts 4 to 2020-12) by the `jsonschema` package.

The schema is checked at load, so a bad stub fails early; a body that is not JSON is validated
as a JSON string, as WireMock does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, ClassVar

from mockserver.compat.jackson import pretty_json
from mockserver.matchers.base import (
    EXACT,
    REPORT_LIMIT,
    MatchResult,
    ParseContext,
    StringMatcher,
    no_match,
)
from mockserver.matchers.json import JsonInputMatcher, json_operand

_PRINTED = REPORT_LIMIT + 1  # pretty-printing stops once past what a report shows

_SCHEMA_VALIDATORS = {
    "V4": "Draft4Validator",
    "V6": "Draft6Validator",
    "V7": "Draft7Validator",
    "V201909": "Draft201909Validator",
    "V202012": "Draft202012Validator",
}


@dataclass(frozen=True, eq=False, repr=False)
class MatchesJsonSchemaMatcher(JsonInputMatcher):
    """JSON Schema validation; a non-JSON value is validated as a JSON string."""

    operator: ClassVar[str] = "matchesJsonSchema"
    operand: Any
    schema_version: str | None
    validator: Any

    def _match_text(self, text: str) -> MatchResult:
        return self._match_json(text)

    def _match_json(self, instance: Any) -> MatchResult:
        from jsonschema.exceptions import best_match

        try:
            errors = list(islice(self.validator.iter_errors(instance), 20))
            if not errors:
                return EXACT
            error = best_match(errors)
            where = error.json_path if error is not None else "$"
            return no_match(f"{where}: {error.message if error is not None else 'invalid'}")
        except Exception as exc:  # noqa: BLE001 - unresolvable $ref, deep nesting: never raise on input
            return no_match(f"schema could not be applied: {exc}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.operator: self.operand}
        if self.schema_version is not None:
            out["schemaVersion"] = self.schema_version
        return out

    def report_value(self) -> str:
        operand = self.operand
        return operand if isinstance(operand, str) else pretty_json(operand, _PRINTED)


def parse_matches_json_schema(spec: Mapping[str, Any], ctx: ParseContext) -> StringMatcher:
    """`{matchesJsonSchema: <schema or JSON text>, schemaVersion?: V4|V6|V7|V201909|V202012}`."""
    import jsonschema  # imported late: it pulls in referencing and the metaschemas

    schema = json_operand(spec, "matchesJsonSchema", ctx)
    if not isinstance(schema, (dict, bool)):
        raise ctx.error("a JSON schema must be an object or a boolean", "matchesJsonSchema")
    version = spec.get("schemaVersion")
    if version is not None and version not in _SCHEMA_VALIDATORS:
        choices = ", ".join(_SCHEMA_VALIDATORS)
        raise ctx.error(
            f"unknown schemaVersion {version!r} (expected one of: {choices})", "schemaVersion"
        )
    cls = getattr(jsonschema, _SCHEMA_VALIDATORS[version or "V202012"])
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ctx.error(f"invalid JSON schema: {exc.message}", "matchesJsonSchema") from exc
    except RecursionError as exc:
        raise ctx.error("JSON schema is too deeply nested", "matchesJsonSchema") from exc
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return MatchesJsonSchemaMatcher(spec["matchesJsonSchema"], version, validator)


__all__ = ["MatchesJsonSchemaMatcher", "parse_matches_json_schema"]
