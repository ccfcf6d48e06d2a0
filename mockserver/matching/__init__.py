"""Which stub answers a request: matching a request against a pattern, the ordered and
indexed registry, scenario gates, and, for 404s and verification only, the nearest misses
and WireMock's side-by-side report.
"""
