"""Client certificates (mTLS) from the environment, for https:// and wss://.

A private CA signs a server certificate and a client certificate (openssl CLI);
the servers require a client certificate signed by that CA.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import InvalidMessage

from tests.http.http_app import serving_in_thread
from tests.tls_files import private_ca
from wsbdd.config import load_settings
from wsbdd.core.exceptions import ConfigError, ExpectationFailed
from wsbdd.runtime.http import HttpTrigger
from wsbdd.runtime.request import ConnectRequest

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _server_context(files: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files["srv.crt"], files["srv.key"])
    context.load_verify_locations(files["ca.crt"])
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def test_https_requests_present_the_client_certificate(tmp_path: Path) -> None:
    files = private_ca(tmp_path)
    with serving_in_thread(ssl_context=_server_context(files)) as base:
        url = base.replace("http://", "https://")
        with_cert = HttpTrigger(
            url,
            timeout=5,
            verify=str(files["ca.crt"]),
            client_cert=str(files["cli.crt"]),
            client_key=str(files["cli.key"]),
        )
        assert with_cert.request("GET", "/pub/a").text == "plain answer"
        without = HttpTrigger(url, timeout=5, verify=str(files["ca.crt"]))
        with pytest.raises(ExpectationFailed, match="failed after"):
            without.request("GET", "/pub/a")


def test_wss_connections_present_the_client_certificate(tmp_path: Path) -> None:
    files = private_ca(tmp_path)

    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    async def main() -> None:
        async with serve(echo, "127.0.0.1", 0, ssl=_server_context(files)) as server:
            port = server.sockets[0].getsockname()[1]
            request = ConnectRequest(
                f"wss://127.0.0.1:{port}/",
                ca_file=files["ca.crt"],
                client_cert=files["cli.crt"],
                client_key=files["cli.key"],
            )
            async with connect(request.url, ssl=request.ssl_context(), open_timeout=5) as ws:
                await ws.send("over mTLS")
                assert await asyncio.wait_for(ws.recv(), 2) == "over mTLS"
            bare = ConnectRequest(f"wss://127.0.0.1:{port}/", ca_file=files["ca.crt"])
            with pytest.raises((ssl.SSLError, OSError, InvalidMessage)):
                async with connect(bare.url, ssl=bare.ssl_context(), open_timeout=5) as ws:
                    await asyncio.wait_for(ws.recv(), 2)

    asyncio.run(asyncio.wait_for(main(), 20))


def test_the_environment_keys_are_checked_and_a_bad_certificate_is_a_config_error(
    tmp_path: Path,
) -> None:
    env = tmp_path / "t.env"
    env.write_text("WSBDD_SERVER=none\nWSBDD_URL=wss://127.0.0.1:9/ws\n"
                   f"WSBDD_CLIENT_CERT={tmp_path / 'missing.pem'}\n")  # fmt: skip
    with pytest.raises(ConfigError, match=r"WSBDD_CLIENT_CERT: file .*missing\.pem does not exist"):
        load_settings("t", env_dir=tmp_path, environ={})
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    env.write_text(f"WSBDD_SERVER=none\nWSBDD_URL=wss://127.0.0.1:9/ws\nWSBDD_CLIENT_CERT={bad}\n")
    settings = load_settings("t", env_dir=tmp_path, environ={})
    assert settings.client_cert == bad
    with pytest.raises(ConfigError, match="cannot load the client certificate"):
        HttpTrigger("https://127.0.0.1:9", timeout=1, client_cert=str(bad))
