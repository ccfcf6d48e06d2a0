"""Comparing a recorded JSON document with a live one by shape, the way a consumer breaks.

A consumer breaks when a key it reads disappears or changes type; it does not break when the
provider adds a key, and values (ids, timestamps) change on every call. So a missing key or a
changed type is drift, an added key is a warning, and values are compared only on request.
Paths are kept as tuples (`("items", 0, "id")`) and printed as JSONPath (`$.items[0].id`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]

DRIFT = "drift"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Difference:
    path: Path
    severity: str  # DRIFT or WARNING
    message: str
    expected: Any = None
    live: Any = None

    @property
    def json_path(self) -> str:
        return json_path(self.path)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.json_path, "severity": self.severity, "message": self.message,
                "expected": self.expected, "live": self.live}


def json_path(path: Path) -> str:
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


def type_name(value: Any) -> str:
    """JSON's type names: a consumer sees `1` and `1.5` as the same type, `true` as another."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def compare(
    expected: Any, live: Any, *, values: bool = False, ignored: Iterable[Path] = ()
) -> list[Difference]:
    """Every difference between the recorded and the live document, outermost first.

    Arrays are compared element by element over the common length (a shorter or longer live
    array is not drift: collections change size); `ignored` paths and everything below them
    are skipped.
    """
    skip = {tuple(path) for path in ignored}
    found: list[Difference] = []
    _walk(expected, live, (), values, skip, found)
    return found


def _skipped(path: Path, skip: set[Path]) -> bool:
    return any(path[: len(prefix)] == prefix for prefix in skip)


def _walk(
    expected: Any, live: Any, path: Path, values: bool, skip: set[Path], out: list[Difference]
) -> None:
    if _skipped(path, skip):
        return
    want, got = type_name(expected), type_name(live)
    if want != got:
        out.append(Difference(path, DRIFT, f"type changed from {want} to {got}",
                              _sample(expected), _sample(live)))
        return
    if want == "object":
        for key, value in expected.items():
            if key not in live:
                if not _skipped((*path, key), skip):
                    out.append(Difference((*path, key), DRIFT, "missing in the live answer",
                                          _sample(value), None))
                continue
            _walk(value, live[key], (*path, key), values, skip, out)
        for key, value in live.items():
            if key not in expected and not _skipped((*path, key), skip):
                out.append(Difference((*path, key), WARNING, "added in the live answer",
                                      None, _sample(value)))
    elif want == "array":
        for index, (mine, theirs) in enumerate(zip(expected, live, strict=False)):
            _walk(mine, theirs, (*path, index), values, skip, out)
    elif values and expected != live:
        out.append(Difference(path, DRIFT, "value changed", expected, live))


def _sample(value: Any) -> Any:
    """A scalar as it is; a container by its type, so reports stay short."""
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[...]"
    return value
