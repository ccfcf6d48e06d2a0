"""Numbers as Java prints them (`Double.toString`), which is how WireMock shows them: JSONPath
results handed to sub-matchers, template output, and near-miss reports."""

from __future__ import annotations

import math
from decimal import Decimal


def java_double(value: float) -> str:
    """`1.5`, `2.0`, `0.001`, `1.0E20`, `1.0E-4`, `NaN`, `Infinity`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(float(value))
    _, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if value < 0 else ''}{mantissa}E{exponent + len(text) - 1}"
