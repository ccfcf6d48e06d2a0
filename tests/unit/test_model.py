"""The model's own rules: chaos layered field by field, and which responses are templates."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from mockserver.model import Chaos, ChaosFailure, RateLimit, ResponseDefinition, is_template

# One non-default value per Chaos field; a field added without one here fails the test below.
SAMPLES: dict[str, Any] = {
    "failure_rate": 0.5,
    "fail_first": 2,
    "fail_with": (ChaosFailure(status=502),),
    "hang": True,
    "bytes_per_second": 100,
    "headers_delay_ms": 30,
    "rate_limit": RateLimit(3, 2.0),
}


def test_every_chaos_field_has_a_sample() -> None:
    """The samples cover exactly Chaos's fields, so the merge tests see every one."""
    assert set(SAMPLES) == {each.name for each in fields(Chaos)}


@pytest.mark.parametrize("name", [each.name for each in fields(Chaos)])
def test_chaos_over_takes_each_unset_field_from_the_base(name: str) -> None:
    """A field the stub leaves unset comes from the global settings, in its own place."""
    merged = Chaos().over(Chaos(**{name: SAMPLES[name]}))
    assert merged == Chaos(**{name: SAMPLES[name]})


@pytest.mark.parametrize("name", [each.name for each in fields(Chaos)])
def test_chaos_over_keeps_each_field_the_stub_set(name: str) -> None:
    """A field the stub sets wins over the global one; the others still come from the base."""
    base = Chaos(**SAMPLES)
    mine = Chaos(**{name: _other(name)})
    merged = mine.over(base)
    assert getattr(merged, name) == _other(name)
    for other in (each.name for each in fields(Chaos) if each.name != name):
        assert getattr(merged, other) == SAMPLES[other]


def _other(name: str) -> Any:
    """A value for `name` different from its sample."""
    return {"failure_rate": 0.25, "fail_first": 1, "fail_with": (ChaosFailure(status=500),),
            "hang": False, "bytes_per_second": 7, "headers_delay_ms": 1,
            "rate_limit": RateLimit(1)}[name]


def test_chaos_over_nothing_is_itself() -> None:
    """Without global chaos settings a stub's chaos is used as written."""
    mine = Chaos(fail_first=1)
    assert mine.over(None) is mine


def test_templates_are_opted_in_or_global() -> None:
    """Only `response-template` responses are templates, unless templating is global."""
    opted = ResponseDefinition(transformers=("response-template",))
    plain = ResponseDefinition(transformers=("other",))
    assert is_template(opted) and not is_template(plain)
    assert is_template(plain, everywhere=True)
