"""Loading stubs: WireMock JSON/YAML (files or admin bodies) to the model and back."""

from mockserver.stubs.dump import request_pattern_json, response_json, stub_to_json, to_yaml
from mockserver.stubs.files import (
    LoadResult,
    decode,
    load_directory,
    load_file,
    load_text,
    mapping_files,
)
from mockserver.stubs.parse import (
    parse_request_pattern,
    parse_response,
    parse_stub,
    parse_uuid,
)

__all__ = [
    "LoadResult",
    "decode",
    "load_directory",
    "load_file",
    "load_text",
    "mapping_files",
    "parse_request_pattern",
    "parse_response",
    "parse_stub",
    "parse_uuid",
    "request_pattern_json",
    "response_json",
    "stub_to_json",
    "to_yaml",
]
