"""The XPath cost model: an expression's degree, its element cap and load-time refusal."""

from __future__ import annotations

import pytest

from mockserver.matchers import xpath_budget


@pytest.mark.parametrize(("expression", "degree"), [
    ("/a/b", 1),
    ("//order/id", 1),
    ("//*[local-name()='x']", 1),
    ("/a[b/c='x']", 1),
    ("//a['//']", 1),
    ("//*[count(//*) > 1]", 2),
    ("//*[@id = /r/@ref]", 2),
    ("//*[count(following::*) > 1]", 2),
    ("//*/following::*", 3),
    ("//a/following-sibling::b[1]", 3),
    ("//*[a[//b]]", 2),
    ("count(//*/following::*/following::*)", 5),
])
def test_degree(expression: str, degree: int) -> None:
    """Whole-document predicates add one per nesting level, sideways steps add two."""
    assert xpath_budget.degree(expression) == degree


def test_refusal_and_caps() -> None:
    """Above the highest degree an expression is refused; below, documents are capped."""
    assert xpath_budget.refusal("count(//*/following::*/following::*)") is not None
    assert xpath_budget.refusal("//*/following::*") is None
    assert xpath_budget.too_large("//*/following::*", 301) is not None
    assert xpath_budget.too_large("//*/following::*", 300) is None
    assert xpath_budget.too_large("/a/b", 200_000) is None
