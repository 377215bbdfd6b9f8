"""Delivery paths are checked when a profile loads; templates are dumped once."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.core.exceptions import ProfileError
from wsbdd.core.matching import Variables
from wsbdd.core.profiles import Template, parse_profile, put_path


def _profile(delivery: dict[str, Any]) -> Any:
    return parse_profile(
        {"delivery": {"match": {"type": "message"}, **delivery}}, "profiles/mine.toml"
    )


def test_valid_delivery_paths_load() -> None:
    profile = _profile({"text": '$.payload["the text"]', "sender": "$.from", "position": "$.a[0]"})
    assert profile.delivery is not None
    assert profile.delivery.text == '$.payload["the text"]'
    assert put_path({}, profile.delivery.text, "hi") == {"payload": {"the text": "hi"}}


@pytest.mark.parametrize(
    ("field", "path", "why"),
    [
        ("text", "$.items[0].text", "must be a path of object keys"),
        ("sender", "$", "must be a path of object keys"),
        ("text", "$.a..b", "invalid JSON path"),
        ("mark", "$.a[", "invalid JSON path"),
        ("position", "$.seq x", "invalid JSON path"),
    ],
)
def test_a_bad_delivery_path_names_the_file_and_key(field: str, path: str, why: str) -> None:
    with pytest.raises(ProfileError) as caught:
        _profile({field: path})
    assert caught.value.file == "profiles/mine.toml"
    assert caught.value.key == f"delivery.{field}"
    assert why in str(caught.value)


def test_put_path_understands_quoted_keys_and_refuses_indexes() -> None:
    assert put_path({"a": 1}, '$["b c"].d', 2) == {"a": 1, "b c": {"d": 2}}
    with pytest.raises(ValueError, match="simple path"):
        put_path({}, "$.a[", 1)


def test_a_template_renders_the_same_every_time() -> None:
    template = Template({"channel": "${channel}", "n": "${n}"}, "f.toml", "publish.send")
    first = template.render(Variables({"channel": "a", "n": 1}, {}))
    second = template.render(Variables({"channel": "b", "n": 2}, {}))
    assert first == {"channel": "a", "n": 1}
    assert second == {"channel": "b", "n": 2}
    assert template == Template({"channel": "${channel}", "n": "${n}"}, "f.toml", "publish.send")
