"""Serve events into stub mappings, the way WireMock's recorder makes them (compat §7.1).

`parse_record_spec` reads WireMock's record spec (plus our `redact` extension); `generate`
turns serve events, oldest first, into WireMock-shaped stub JSON: `url`, or `urlPath` plus
`hasExactly` query parameters; `equalToJson` / `equalTo` / `binaryEqualTo` body patterns;
response headers without the framing ones; text as `body`, the rest as `base64Body`;
repeats as `scenario-<n>-<path>` scenarios; large bodies moved to files. Secrets are masked
by the spec's `RedactionPolicy`. Pure: the body files to write are returned, not written.
"""

from mockserver.record.content import file_extension, is_json_mime, is_text_mime, mime_of
from mockserver.record.generate import (
    Generated,
    body_pattern,
    generate,
    path_parts,
    request_pattern,
    response_definition,
    select,
    stub_name,
)
from mockserver.record.spec import (
    BodyPatternSpec,
    ExtractBodyCriteria,
    RecordSpec,
    parse_record_spec,
    parse_size,
)

__all__ = [
    "BodyPatternSpec",
    "ExtractBodyCriteria",
    "Generated",
    "RecordSpec",
    "body_pattern",
    "file_extension",
    "generate",
    "is_json_mime",
    "is_text_mime",
    "mime_of",
    "parse_record_spec",
    "parse_size",
    "path_parts",
    "request_pattern",
    "response_definition",
    "select",
    "stub_name",
]
