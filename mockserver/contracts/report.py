"""A drift report for people (text), for machines (JSON) and for CI dashboards (JUnit XML)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from mockserver.contracts.drift import DriftReport, StubResult
from mockserver.contracts.shape import DRIFT


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


def _lines(result: StubResult) -> list[str]:
    out = []
    for d in result.differences:
        mark = "DRIFT  " if d.severity == DRIFT else "warning"
        detail = f"{d.message}"
        if d.severity == DRIFT:
            detail += f" (expected {_value(d.expected)}, live {_value(d.live)})"
        else:
            detail += f" (live {_value(d.live)})"
        out.append(f"    {mark} {d.json_path}: {detail}")
    return out


def text(report: DriftReport, *, verbose: bool = False) -> str:
    lines = [f"drift check against {report.target}"]
    for error in report.errors:
        lines.append(f"  file error: {error}")
    for result in report.results:
        request = f"{result.replay.method} {result.replay.path_and_query}" if result.replay else ""
        if result.skipped is not None:
            if verbose:
                lines.append(f"  skipped {result.entry.label}: {result.skipped}")
            continue
        verdict = "DRIFTED" if result.drifted else "ok"
        if verdict == "ok" and not result.differences and not verbose:
            continue
        lines.append(f"  {verdict} {result.entry.label}: {request}")
        lines.extend(_lines(result))
    summary = report.to_json()
    lines.append(f"{summary['checked']} checked, {summary['drifted']} drifted, "
                 f"{summary['skipped']} skipped")
    return "\n".join(lines) + "\n"


def junit(report: DriftReport) -> str:
    """One testcase per replayed stub, a failure for each drifted one (skips are skipped)."""
    suite = ElementTree.Element("testsuite", name="mockserver drift", tests="0",
                                failures="0", skipped="0")
    tests = failures = skipped = 0
    for result in report.results:
        tests += 1
        name = result.entry.label
        if result.replay is not None:
            name += f" {result.replay.method} {result.replay.path_and_query}"
        case = ElementTree.SubElement(suite, "testcase", classname=result.entry.display,
                                      name=name)
        if result.skipped is not None:
            skipped += 1
            ElementTree.SubElement(case, "skipped", message=result.skipped)
        elif result.drifted:
            failures += 1
            drifts = [d for d in result.differences if d.severity == DRIFT]
            failure = ElementTree.SubElement(
                case, "failure", message=f"{len(drifts)} drifted: "
                + ", ".join(d.json_path for d in drifts))
            failure.text = "\n".join(_lines(result))
        warnings = [line for line in _lines(result) if "warning" in line]
        if warnings and not result.drifted:
            ElementTree.SubElement(case, "system-out").text = "\n".join(warnings)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
