"""Contracts: keeping stubs honest about the real API.

    replay      what a stub file says: the request to replay, the answer recorded
    shape       comparing JSON documents by shape (missing keys, changed types)
    drift       replaying stubs against the live API (`mockserver drift`)
    report      drift reports as text, JSON and JUnit XML
    update      `drift --update`: drifted stubs take the live answer, through the recorder
    openapi     an OpenAPI description loaded with openapi-core; checks against it
    examples    deterministic example values from schemas
    importer    `mockserver openapi import`: one stub per operation
    spec_check  `validate --openapi`: stubs that promise what the API does not
"""
