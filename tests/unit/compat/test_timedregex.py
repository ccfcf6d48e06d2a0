"""Time-limited regexes: out of time is a no-match with a reason, and a request's budget."""

from __future__ import annotations

from mockserver.compat import timedregex
from mockserver.compat.javaregex import compile_java_regex

SLOW = "a" * 40 + "!"


def test_backtracking_match_runs_out_of_time() -> None:
    """A catastrophic pattern stops and says why; the same pattern still matches good text."""
    pattern = compile_java_regex("(a|aa)+$")
    assert pattern.verdict(SLOW) == (False, timedregex.TIMEOUT_REASON)
    assert pattern.fullmatch(SLOW) is None
    assert pattern.verdict("aaa") == (True, "")


def test_request_budget_refuses_after_enough_timeouts() -> None:
    """Within one request, matches after MAX_TIMEOUTS timeouts are refused without running."""
    pattern = compile_java_regex("(a|aa)+$")
    with timedregex.request_budget():
        for _ in range(timedregex.MAX_TIMEOUTS):
            assert pattern.verdict(SLOW)[1] == timedregex.TIMEOUT_REASON
        assert pattern.verdict("aaa") == (False, timedregex.SPENT_REASON)
        assert pattern.search("aaa") is None
    assert pattern.verdict("aaa") == (True, "")  # a new request starts afresh


def test_java_ascii_case_folding_is_kept() -> None:
    """Java's (?i) folds ASCII only unless (?u) is given, on the regex engine too."""
    assert compile_java_regex("(?i)é").fullmatch("É") is None
    assert compile_java_regex("(?iu)é").fullmatch("É") is not None
