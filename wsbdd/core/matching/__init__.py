"""The pure matching core of wsbdd: no sockets, no event loop, no behave.

* :mod:`~wsbdd.core.matching.matchers` – partial JSON match with ``{{uuid}}``-style matchers;
* :mod:`~wsbdd.core.matching.templating` – ``${name}`` variables in text and JSON;
* :mod:`~wsbdd.core.matching.jsonpath` – ``$.items[0].qty`` selectors;
* :mod:`~wsbdd.core.matching.schema` – JSON Schema checks against a folder of files;
* :mod:`~wsbdd.core.matching.render` – the text of a failed wait, with the closest message.
"""

from __future__ import annotations

from wsbdd.core.matching.jsonpath import PathNotFound, parse_path, select
from wsbdd.core.matching.matchers import (
    KNOWN_MATCHERS,
    MISSING,
    Matcher,
    Mismatch,
    Missing,
    check_expected,
    match,
    matches,
    parse_matcher,
)
from wsbdd.core.matching.render import (
    WaitFailure,
    closest,
    describe_expected,
    render_diff,
    render_mismatches,
    render_wait_failure,
)
from wsbdd.core.matching.schema import (
    SchemaStore,
    SchemaViolation,
    load_schema_names,
    render_violations,
)
from wsbdd.core.matching.templating import (
    GENERATORS,
    Variables,
    render_json,
    render_json_lines,
    substitute,
    substitute_json,
    to_text,
)

__all__ = [
    "GENERATORS",
    "KNOWN_MATCHERS",
    "MISSING",
    "Matcher",
    "Mismatch",
    "Missing",
    "PathNotFound",
    "SchemaStore",
    "SchemaViolation",
    "Variables",
    "WaitFailure",
    "check_expected",
    "closest",
    "describe_expected",
    "load_schema_names",
    "match",
    "matches",
    "parse_matcher",
    "parse_path",
    "render_diff",
    "render_json",
    "render_json_lines",
    "render_mismatches",
    "render_violations",
    "render_wait_failure",
    "select",
    "substitute",
    "substitute_json",
    "to_text",
]
