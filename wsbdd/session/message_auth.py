"""Authentication by a first message (``[auth] mode = "message"``): send it, await its ack."""

from __future__ import annotations

from typing import Any

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching import describe_expected
from wsbdd.core.records import CloseInfo
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Client, Clients
from wsbdd.session.answers import await_answer
from wsbdd.session.profile_choice import ProfileChoice
from wsbdd.session.receiving import Receiver
from wsbdd.session.template_vars import TemplateVariables
from wsbdd.session.timing import ScenarioTiming

__all__ = ["MessageAuthenticator"]


class MessageAuthenticator:
    """Sends the profile's auth message on an open connection and waits for the answer."""

    def __init__(
        self,
        clients: Clients,
        receiver: Receiver,
        template_vars: TemplateVariables,
        profiles: ProfileChoice,
        timing: ScenarioTiming,
        redactor: Redactor,
    ) -> None:
        self._clients = clients
        self._receiver = receiver
        self._vars = template_vars
        self._profiles = profiles
        self._timing = timing
        self._redactor = redactor

    @property
    def acknowledged(self) -> bool:
        """Whether the profile's auth message has an ack (so its arrival confirms the open)."""
        profile = self._profiles.current
        return profile is not None and profile.auth.ack is not None

    def authenticate(
        self, name: str, identity: str | None, token: str | None, *, required: bool = True
    ) -> None:
        """Send the profile's auth message and wait for its ack.

        With ``required`` off (a plain "client A connects ..."), a refusal or a
        missing ack is left for later steps to check ("is closed with code 4403").
        """
        auth = self._profiles.required.auth
        assert auth.message is not None
        extra: dict[str, Any] = {"token": token}
        if identity is not None:
            extra["user"] = identity
        variables = self._vars(name, **extra)
        self._clients.send_value(name, auth.message.render(variables))
        if auth.ack is None:
            return
        ack = auth.ack.render(variables)
        rejects = [template.render(variables) for template in auth.rejections]
        deadline = self._timing.message(None)

        outcome = await_answer(self._clients, name, ack, rejects, deadline)
        if (outcome is not None and outcome[0] == "ack") or not required:
            return
        if outcome is None:
            raise self._receiver.failure(
                name, f"be authenticated ({describe_expected(ack)})", deadline, ack
            )
        _kind, message = outcome
        if message is not None:
            detail = f"refused: {message.display()}"
        else:
            info = self._clients.wait(name, _close_of, 0.0)
            detail = f"closed: {info.describe() if info is not None else 'closed'}"
        raise ExpectationFailed(
            self._redactor.text(f"client {name} could not authenticate as {identity}: {detail}")
        )


def _close_of(client: Client) -> CloseInfo | None:
    return client.close_info
