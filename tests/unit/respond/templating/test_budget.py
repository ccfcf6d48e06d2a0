"""A render's budget: loop steps, characters built, charged before values are built."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError

from mockserver.respond.templating import budget


def test_steps_are_counted_across_loops() -> None:
    """Nested loops share one step count, and passing MAX_STEPS stops the render."""
    with budget.spending() as spent:
        for _ in budget.Counted(range(10)):
            list(budget.Counted(range(10)))
        assert spent.steps == 110
        spent.steps = budget.MAX_STEPS - 5
        with pytest.raises(SecurityError, match="loops ran more than"):
            list(budget.Counted(range(10)))


def test_time_runs_out() -> None:
    """Past the deadline the next check stops the render."""
    with budget.spending() as spent:
        spent.deadline = 0.0
        with pytest.raises(SecurityError, match="took longer than"):
            list(budget.Counted(range(budget.CHECK_EVERY)))


def test_counted_keeps_length() -> None:
    """`loop.length` still works on a counted sequence; a generator has none."""
    assert len(budget.Counted([1, 2, 3])) == 3
    with pytest.raises(TypeError):
        len(budget.Counted(x for x in ()))


def test_charges_add_up_to_the_total() -> None:
    """Each value is capped alone, and all of a render's text together."""
    with budget.spending() as spent:
        with pytest.raises(SecurityError, match="value would be longer"):
            spent.charge(budget.MAX_VALUE + 1)
    with budget.spending() as spent:
        spent.charge(budget.MAX_VALUE)
        spent.charge(budget.MAX_VALUE)
        with pytest.raises(SecurityError, match="built more than"):
            spent.charge(1)


@pytest.mark.parametrize(("estimate", "args", "at_least"), [
    (budget.padded_size, ("x", 10**9), 10**9),
    (budget.padded_size, ("a\tb", 4), 3),
    (budget.indent_size, ("a\nb\nc", 1000), 3000),
    (budget.format_size, ("%1000000000s", "x"), 10**9),
    (budget.format_size, ("%*s", (10**9, "x")), 10**9),
    (budget.join_size, (["x" * 1000] * 1000, ","), 10**6),
    (budget.replace_size, ("x" * 1000, "x", "y" * 1000), 10**6),
    (budget.replace_size, ("abc", "", "-"), 6),
    (budget.product_size, (["x" * 1000], 1000), 10**6),
])
def test_sizes_are_upper_bounds(estimate: object, args: tuple[object, ...],
                                at_least: int) -> None:
    """Each estimate is at least as large as the value the operation would build."""
    assert callable(estimate)
    assert estimate(*args) >= at_least
