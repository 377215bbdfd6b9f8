"""Environments: choosing one, reading its file, precedence, and errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from wsbdd.config import choose_environment, http_url_from_ws, load_settings
from wsbdd.core.exceptions import ConfigError


def write_env(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.env"
    path.write_text(text)
    return path


def test_the_environment_is_chosen_by_flag_then_userdata_then_variable() -> None:
    environ = {"WSBDD_ENV": "staging"}
    assert choose_environment("ci", {"env": "qa"}, environ) == "ci"
    assert choose_environment(None, {"env": "qa"}, environ) == "qa"
    assert choose_environment(None, {}, environ) == "staging"
    assert choose_environment(None, {}, {}) == "local"


def test_values_come_from_the_file_and_real_variables_win(tmp_path: Path) -> None:
    write_env(
        tmp_path,
        "staging",
        "WSBDD_SERVER=none\nWSBDD_URL=wss://chat.example.com/ws\nWSBDD_TIMEOUT=3 s\n"
        "WSBDD_TOKEN_ALICE=from-file\n",
    )
    settings = load_settings(
        "staging", env_dir=tmp_path, environ={"WSBDD_TOKEN_ALICE": "from-env", "HOME": "/x"}
    )
    assert settings.ws_url == "wss://chat.example.com/ws"
    assert settings.http_url == "https://chat.example.com"
    assert settings.timeout == 3.0
    assert settings.tokens == {"alice": "from-env"}
    assert "HOME" not in settings.values  # only WSBDD_ variables are taken from outside
    assert settings.server_mode == "none"


def test_embedded_needs_no_url_and_a_command_is_a_managed_server(tmp_path: Path) -> None:
    write_env(tmp_path, "local", "WSBDD_SERVER=embedded\nWSBDD_SERVER_ARGS=--queue-limit 5\n")
    local = load_settings("local", env_dir=tmp_path, environ={})
    assert local.server_mode == "embedded"
    assert local.server_args == ("--queue-limit", "5")
    write_env(
        tmp_path,
        "mine",
        "WSBDD_SERVER=./start-my-server --port 9000\nWSBDD_URL=ws://127.0.0.1:9000/socket\n",
    )
    mine = load_settings("mine", env_dir=tmp_path, environ={})
    assert mine.server_mode == "command"
    assert mine.server_command == "./start-my-server --port 9000"
    assert mine.health_url == "http://127.0.0.1:9000/healthz"


def test_bugs_are_added_to_the_embedded_server_arguments(tmp_path: Path) -> None:
    write_env(tmp_path, "local", "WSBDD_SERVER=embedded\nWSBDD_SERVER_ARGS=--ping-interval 1\n")
    settings = load_settings(
        "local", env_dir=tmp_path, environ={"WSBDD_SERVER_BUGS": "wrong_room,slow_push"}
    )
    assert settings.server_args == (
        "--ping-interval",
        "1",
        "--bug",
        "wrong_room",
        "--bug",
        "slow_push",
    )


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("WSBDD_SERVER=none\n", "WSBDD_URL", "is not set"),
        ("WSBDD_SERVER=none\nWSBDD_URL=http://x/ws\n", "WSBDD_URL", "not a valid URL"),
        (
            "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\nWSBDD_TIMEOUT=soon\n",
            "WSBDD_TIMEOUT",
            "not a duration",
        ),
        (
            "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\nWSBDD_TIMEOUT=2\n",
            "WSBDD_TIMEOUT",
            "'2' has no unit: write 2 s or 2 ms",
        ),
        (
            "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\nWSBDD_CONNECT_TIMEOUT=0.5\n",
            "WSBDD_CONNECT_TIMEOUT",
            "'0.5' has no unit",
        ),
        (
            "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\nWSBDD_TOKEN_BOB=\n",
            "WSBDD_TOKEN_BOB",
            "is empty",
        ),
        (
            "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\nWSBDD_CA_FILE=/no/such.pem\n",
            "WSBDD_CA_FILE",
            "does not exist",
        ),
        (
            "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\nWSBDD_TIMEOUT_SCALE=-1\n",
            "WSBDD_TIMEOUT_SCALE",
            "not a positive number",
        ),
        (
            "WSBDD_SERVER=embedded\nWSBDD_SERVER_ARGS=--origins 'unclosed\n",
            "WSBDD_SERVER_ARGS",
            "cannot be split",
        ),
    ],
)
def test_a_bad_key_is_an_error_naming_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, says: str
) -> None:
    path = write_env(tmp_path, "broken", text)
    with pytest.raises(ConfigError) as caught:
        load_settings("broken", env_dir=tmp_path, environ={})
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert says in message
    assert caught.value.key == key and caught.value.file == str(path)


def test_a_bug_with_an_unmanaged_server_is_an_error(tmp_path: Path) -> None:
    write_env(tmp_path, "staging", "WSBDD_SERVER=none\nWSBDD_URL=ws://x/ws\n")
    with pytest.raises(ConfigError, match="--bug wrong_room needs the embedded reference server"):
        load_settings("staging", env_dir=tmp_path, environ={"WSBDD_SERVER_BUGS": "wrong_room"})


def test_a_missing_environment_lists_the_available_ones(tmp_path: Path) -> None:
    write_env(tmp_path, "local", "WSBDD_SERVER=embedded\n")
    write_env(tmp_path, "ci", "WSBDD_SERVER=embedded\n")
    with pytest.raises(
        ConfigError, match=r"'prod' not found: create .*prod\.env \(available: ci, local\)"
    ):
        load_settings("prod", env_dir=tmp_path, environ={})


def test_http_url_is_derived_from_the_websocket_url() -> None:
    assert http_url_from_ws("ws://127.0.0.1:8765/ws?x=1") == "http://127.0.0.1:8765"
    assert http_url_from_ws("wss://chat.example.com/socket") == "https://chat.example.com"


def test_the_shipped_environments_load(monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Path(__file__).resolve().parents[2]
    for name in ("local", "ci"):
        settings = load_settings(name, env_dir=repo / "environments", environ={})
        assert settings.server_mode == "embedded"
        assert settings.profile == "chat"
        assert set(settings.tokens) == {"alice", "bob", "carol"}


def test_every_server_has_a_health_url_by_default(tmp_path: Path) -> None:
    write_env(tmp_path, "none", "WSBDD_SERVER=none\nWSBDD_URL=wss://chat.example.com/socket\n")
    assert load_settings("none", env_dir=tmp_path, environ={}).health_url == (
        "https://chat.example.com/healthz"
    )
    write_env(tmp_path, "local", "WSBDD_SERVER=embedded\n")
    embedded = load_settings("local", env_dir=tmp_path, environ={})
    assert embedded.health_url is None  # known once the server has started:
    assert embedded.with_urls("ws://127.0.0.1:5/ws", "http://127.0.0.1:5").health_url == (
        "http://127.0.0.1:5/healthz"
    )
