"""Publishing over HTTP (``[publish] method, path``) on the fake transport, no socket opened.

The HTTP side is a recording stand-in for ``HttpTrigger``: each request it
receives is answered by the in-memory chat server, which pushes the message to
its subscribers, as the reference server's ``POST /channels/<c>/messages`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.session.test_channels_on_fake import USERS, ChatServer
from tests.session.test_session_on_fake import _session
from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.records import now
from wsbdd.runtime.http import HttpResponse, HttpTrigger
from wsbdd.session.roster import ConnectSpec
from wsbdd.session.scenario import ScenarioSession


class RecordingHttp(HttpTrigger):
    """Answers each request with ``answer`` (status, body) and publishes accepted ones."""

    def __init__(self, server: ChatServer) -> None:
        super().__init__("http://fake.invalid", timeout=1.0)
        self.server = server
        self.sent: list[tuple[str, str, str | bytes | None, list[tuple[str, str]]]] = []
        self.answer: tuple[int, Any] = (202, {"accepted": True})
        self.rate: float | None = None

    def request_many(
        self,
        method: str,
        requests: Sequence[tuple[str, str | bytes | None, Sequence[tuple[str, str]]]],
        *,
        rate: float | None = None,
        cookies: Any = None,
    ) -> list[HttpResponse]:
        self.rate = rate
        answers = []
        for target, body, headers in requests:
            url = self.resolve(target)
            self.sent.append((method, url, body, list(headers)))
            status, payload = self.answer
            if 200 <= status < 300:
                self._publish(url, body, dict(headers))
            answers.append(
                HttpResponse(method, url, status, json.dumps(payload), (), now(), 0.0, payload)
            )
        return answers

    def _publish(self, url: str, body: str | bytes | None, headers: dict[str, str]) -> None:
        channel = urlsplit(url).path.split("/")[2]
        token = parse_qs(urlsplit(url).query).get("token", [""])[0]
        bearer = headers.get("Authorization", "").removeprefix("Bearer ")
        frame = {
            **json.loads(body or "{}"),
            "type": "message",
            "channel": channel,
            "from": USERS.get(token or bearer, "anonymous"),
        }
        for peer in self.server.fake.peers:
            if peer.open and channel in self.server.subscribed.get(id(peer), set()):
                peer.push(json.dumps(frame))


PROFILE = """
extends = "chat"

[publish]
method = "POST"
path = "/channels/${channel}/messages"
send = { text = "${text}", mark = "${mark}" }
"""


@pytest.fixture
def http_chat(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[ScenarioSession, RecordingHttp]]:
    server = ChatServer()
    http = RecordingHttp(server)
    (tmp_path / "http-chat.toml").write_text(PROFILE)
    monkeypatch.chdir(tmp_path)
    for session in _session(monkeypatch, server.fake, http):
        session.use_profile("http-chat.toml")
        yield session, http


def _subscribe_b_and_connect_a(session: ScenarioSession) -> None:
    session.connections.connect("B", ConnectSpec(identity="bob"), require_open=True)
    session.channels.subscribe("B", "room:lobby", confirm=True)
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)


def test_a_publication_is_a_request_carrying_the_token_as_auth_says(
    http_chat: tuple[ScenarioSession, RecordingHttp],
) -> None:
    session, http = http_chat
    _subscribe_b_and_connect_a(session)
    session.channels.publish("A", "room:lobby", "hi")
    method, url, body, _ = http.sent[0]
    assert method == "POST"
    assert url.startswith("http://fake.invalid/channels/room:lobby/messages?")
    assert parse_qs(urlsplit(url).query)["token"] == ["alice-token"]  # chat: query mode
    assert json.loads(body or "")["text"] == "hi"
    message = session.channels.receive_from("B", "hi", "alice", "room:lobby", 1.0)
    assert message.payload["mark"].endswith("-A-1")


def test_many_publications_go_paced_in_one_call_and_arrive_in_order(
    http_chat: tuple[ScenarioSession, RecordingHttp],
) -> None:
    session, http = http_chat
    _subscribe_b_and_connect_a(session)
    session.channels.publish_many("A", "room:lobby", 5, 100.0)
    assert len(http.sent) == 5 and http.rate == 100.0
    assert len(session.deliveries.receive_all("B", "A", 5, 1.0)) == 5
    session.deliveries.in_published_order("B", "A")


def test_a_refused_publication_fails_with_the_status_and_body(
    http_chat: tuple[ScenarioSession, RecordingHttp],
) -> None:
    session, http = http_chat
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    http.answer = (403, {"error": "forbidden", "token": "alice-token"})
    with pytest.raises(ExpectationFailed) as failure:
        session.channels.publish("A", "room:lobby", "hi")
    text = str(failure.value)
    assert "client A's publication to room:lobby was refused: POST http://fake.invalid" in text
    assert "answered 403" in text and '"error": "forbidden"' in text
    assert "alice-token" not in text  # the token in the URL and the body is redacted


def test_an_answer_that_misses_the_ack_fails_naming_it(
    http_chat: tuple[ScenarioSession, RecordingHttp], tmp_path: Path
) -> None:
    session, http = http_chat
    (tmp_path / "acked.toml").write_text(
        PROFILE + 'ack = { accepted = true }\nheaders = { X-Key = "k-${token}" }\n'
    )
    session.use_profile("acked.toml")
    session.connections.connect("A", ConnectSpec(identity="alice"), require_open=True)
    http.answer = (200, {"accepted": False})
    with pytest.raises(ExpectationFailed, match="was not acknowledged: POST .* answered 200, "
                       r'expected a body matching \{"accepted": true\}'):
        session.channels.publish("A", "room:lobby", "hi")
    _, url, _, headers = http.sent[0]
    assert "token=" not in url  # headers of its own replace [auth]
    assert ("X-Key", "k-alice-token") in headers
