"""Waiting for webhook callbacks in tests: what finished, and a failure that says what happened."""

from __future__ import annotations

from mockserver.serve.webhooks import Delivery


def checked_deliveries(done: list[Delivery], count: int, timeout: float,
                       pending: int) -> list[Delivery]:
    """`done` when at least `count` callbacks finished and none failed; else AssertionError
    naming the count, the time allowed, and the target and outcome of each callback."""
    __tracebackhide__ = True
    failed = [d for d in done if d.error is not None]
    if len(done) >= count and not failed:
        return done
    plural = "s" if count != 1 else ""
    answered = len(done) - len(failed)
    summary = (f"expected {count} webhook callback{plural} within {timeout:g}s, {len(done)} "
               f"finished ({answered} answered, {len(failed)} failed), {pending} still pending")
    lines = [summary]
    for delivery in done:
        sent = delivery.request
        target = f"{sent['method']} {sent['absoluteUrl']}" if sent else "(not sent)"
        answer = delivery.response
        outcome = (f"answered {answer['status']}" if answer is not None
                   else f"failed: {delivery.error}")
        lines.append(f"  trigger {delivery.trigger_id}: {target} {outcome}")
    raise AssertionError("\n".join(lines))
