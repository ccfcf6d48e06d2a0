"""The field names of WireMock's stub JSON: what a stub may say, in the order WireMock writes it.

Declared once for reading (unknown keys are refused), writing (admin answers, saved files) and
recording (files people maintain).
"""

from __future__ import annotations

from mockserver.matchers.url import URL_KEYS

STUB_KEYS = (
    "id", "uuid", "name", "request", "response", "persistent", "priority", "scenarioName",
    "requiredScenarioState", "newScenarioState", "metadata", "postServeActions",
    "serveEventListeners", "insertionIndex", "$schema",
)
REQUEST_KEYS = (
    "scheme", "host", "port", *URL_KEYS, "clientIp", "method", "headers", "pathParameters",
    "queryParameters", "formParameters", "cookies", "bodyPatterns", "multipartPatterns",
    "customMatcher", "basicAuthCredentials", "basicAuth",
)
BODY_KEYS = ("body", "jsonBody", "base64Body", "bodyFileName")
RESPONSE_KEYS = (  # in WireMock's output order
    "status", "statusMessage", "headers", *BODY_KEYS,
    "additionalProxyRequestHeaders", "removeProxyRequestHeaders", "fixedDelayMilliseconds",
    "delayDistribution", "chunkedDribbleDelay", "fault", "proxyBaseUrl", "proxyUrlPrefixToRemove",
    "transformers", "transformerParameters", "fromConfiguredStub",
    "chaos",  # mockserver's extension: failures, hangs, bandwidth, rate limits
)
MULTIPART_KEYS = ("name", "fileName", "matchingType", "headers", "bodyPatterns")
LISTENER_KEYS = ("name", "requestPhases", "parameters")  # serveEventListeners entries

__all__ = ["BODY_KEYS", "LISTENER_KEYS", "MULTIPART_KEYS", "REQUEST_KEYS", "RESPONSE_KEYS",
           "STUB_KEYS", "URL_KEYS"]
