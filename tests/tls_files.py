"""A private CA with a server and a client certificate for 127.0.0.1 (openssl CLI).

Tests that need ``wss://`` or ``https://`` servers use it; the certificates
are valid for a day and live in the test's own folder.
"""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


def private_ca(tmp: Path) -> dict[str, Path]:
    """``ca.crt``, ``srv.crt``/``srv.key`` (localhost, 127.0.0.1) and ``cli.crt``/``cli.key``."""
    files = {n: tmp / n for n in ("ca.key", "ca.crt", "srv.key", "srv.crt", "cli.key", "cli.crt")}
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(files["ca.key"]),
             "-out", str(files["ca.crt"]), "-days", "1", "-subj", "/CN=wsbdd test CA")  # fmt: skip
    ext = tmp / "ext.cnf"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for who in ("srv", "cli"):
        csr = tmp / f"{who}.csr"
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(files[f"{who}.key"]),
                 "-out", str(csr), "-subj", f"/CN={who}")  # fmt: skip
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(files["ca.crt"]),
                 "-CAkey", str(files["ca.key"]), "-CAcreateserial", "-out",
                 str(files[f"{who}.crt"]), "-days", "1", "-extfile", str(ext))  # fmt: skip
    return files


def server_context(files: dict[str, Path]) -> ssl.SSLContext:
    """A TLS server context presenting ``srv.crt`` (no client certificate asked)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files["srv.crt"], files["srv.key"])
    return context
