"""`mockserver serve --openapi`: requests the description forbids, flagged or refused.

The code under test is what sends requests to the mock; when it sends one the real API would
reject (an unknown path under the API's prefix, a missing required parameter, a body off the
request schema), a test against the mock passes while production fails. Soft mode (the default)
records the violations in the request's journal entry as a sub-event and answers as usual;
strict mode answers 400 with a problem document listing them, before matching.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.contracts.openapi import Contract, Violation
from mockserver.exchange import Request

SUB_EVENT = "OPENAPI_VIOLATION"
PROBLEM_TYPE = "application/problem+json"


class RequestGuard:
    def __init__(self, contract: Contract, *, strict: bool = False) -> None:
        self.contract = contract
        self.strict = strict

    def check(self, request: Request) -> list[Violation]:
        """The request's violations; none for paths the description does not cover."""
        if not self.contract.covers(request.path):
            return []
        query = [(name, value) for name, values in request.query.items() for value in values]
        content_type = request.header("Content-Type")
        return self.contract.check_request(request.method, request.path, query,
                                           list(request.headers), request.body, content_type)

    def sub_event(self, violations: list[Violation]) -> dict[str, Any]:
        """The journal's record of them, in WireMock's sub-event shape."""
        return {"type": SUB_EVENT, "timeOffsetNanos": 0,
                "data": {"violations": [v.to_json() for v in violations],
                         "spec": self.contract.source}}

    def problem(self, request: Request, violations: list[Violation]) -> bytes:
        """The strict mode's 400 body (RFC 9457 problem details)."""
        return json.dumps({
            "type": "about:blank",
            "title": "The request does not conform to the OpenAPI description",
            "status": 400,
            "detail": f"{request.method} {request.path}: " + "; ".join(map(str, violations)),
            "violations": [v.to_json() for v in violations],
        }, ensure_ascii=False).encode("utf-8")
