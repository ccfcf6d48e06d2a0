"""JSON printed as Jackson's default pretty printer prints it in WireMock's reports."""

from __future__ import annotations

from mockserver.compat.jackson import pretty_json, pretty_json_text, scalar_text


def test_objects_break_lines_and_arrays_stay_inline() -> None:
    """Object entries go on their own lines as `"key" : value`; arrays print as `[ a, b ]`."""
    text = pretty_json_text('{"a": [1, 2.50], "b": {}, "c": [], "d": "x\\ny"}', 1000)
    assert text == '{\n  "a" : [ 1, 2.50 ],\n  "b" : { },\n  "c" : [ ],\n  "d" : "x\\ny"\n}'


def test_not_json_is_returned_as_written() -> None:
    """Text that is not JSON (or uses NaN) is shown as it was sent."""
    assert pretty_json_text("{not json", 1000) == "{not json"
    assert pretty_json_text("[NaN]", 1000) == "[NaN]"


def test_printing_stops_past_the_limit() -> None:
    """A huge document costs only the characters that will be shown."""
    text = pretty_json(list(range(100_000)), 50)
    assert 50 <= len(text) < 60


def test_scalars_print_as_java_does() -> None:
    """Doubles print as Java's `Double.toString`, booleans and null in lower case."""
    assert [scalar_text(v) for v in (1e20, 0.5, True, None, 3)] == [
        "1.0E20", "0.5", "true", "null", "3"]
