"""Java behaviour that WireMock users rely on, shared by matchers, templates and reports:
Java regular expressions, Java date text and formats, Java number printing, and Jayway's
JSONPath dialect.
"""
