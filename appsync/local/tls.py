"""The local AppSync's certificate for HTTPS/WSS: a local certificate authority and a server certificate for
127.0.0.1, localhost and ::1, made with trustme on first use and kept in the state folder."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path
from typing import Any

import trustme
from cryptography import x509

HOSTS = ("127.0.0.1", "localhost", "::1")
# Apple's clients refuse server certificates valid for more than 825 days, even under a CA the user added.
SERVER_CERT_DAYS = 800
# A server certificate with less left than this is issued again (by the same CA, so clients keep trusting it).
RENEW_BEFORE_DAYS = 30


class LocalCertificate:
    """The local CA (the PEM clients trust, `ca_path`) and the server certificate it signs (uvicorn serves it).

    The CA's key stays in the state folder (readable by its owner only) so the server certificate can be renewed
    without every client having to trust a new CA; never share that folder.
    """

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "tls"
        self.ca_path = self.directory / "ca.pem"
        self.ca_key_path = self.directory / "ca-key.pem"
        self.cert_path = self.directory / "server.pem"
        self.key_path = self.directory / "server-key.pem"
        self._ensure()

    def _ensure(self) -> None:
        if not (self.ca_path.is_file() and self.ca_key_path.is_file()):
            ca = trustme.CA(organization_name="Airline local AppSync", organization_unit_name="development only")
            self._write(self.ca_key_path, ca.private_key_pem.bytes())
            self._write(self.ca_path, ca.cert_pem.bytes())
            self._issue(ca)
        elif not self._server_cert_valid():
            self._issue(trustme.CA.from_pem(self.ca_path.read_bytes(), self.ca_key_path.read_bytes()))

    def _server_cert_valid(self) -> bool:
        if not (self.cert_path.is_file() and self.key_path.is_file()):
            return False
        cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        left = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
        return left > datetime.timedelta(days=RENEW_BEFORE_DAYS)

    def _issue(self, ca: trustme.CA) -> None:
        now = datetime.datetime.now(datetime.UTC)
        server = ca.issue_cert(
            *HOSTS,
            organization_name="Airline local AppSync",
            not_before=now - datetime.timedelta(hours=1),
            not_after=now + datetime.timedelta(days=SERVER_CERT_DAYS),
        )
        self._write(self.key_path, server.private_key_pem.bytes())
        self._write(self.cert_path, b"".join(blob.bytes() for blob in server.cert_chain_pems))

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600 if "key" in path.name else 0o644)
        path.write_bytes(data)

    def server_ssl_kwargs(self) -> dict[str, Any]:
        """What uvicorn.Config takes to serve HTTPS and WSS with the server certificate."""
        return {"ssl_certfile": str(self.cert_path), "ssl_keyfile": str(self.key_path)}

    def client_context(self) -> ssl.SSLContext:
        """A client SSL context that trusts the local CA (and nothing else), for in-process callers and tests."""
        return ssl.create_default_context(cafile=str(self.ca_path))
