"""A certificate for the sandbox's API server: self-signed, for 127.0.0.1 only, made at each start.

kubectl sends a bearer token only over TLS, and an EKS endpoint is HTTPS, so the sandbox serves HTTPS
too. Its certificate is its own authority (the kubeconfig's ``certificate-authority-data``, and what
``aws eks describe-cluster`` answers as the cluster's ``certificateAuthority``); the key never
leaves the sandbox's private folder.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

VALID_DAYS = 30


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path

    @property
    def authority_data(self) -> str:
        """The certificate, base64 PEM, as a kubeconfig's ``certificate-authority-data``."""
        return base64.b64encode(self.cert_file.read_bytes()).decode()

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificate(folder: Path) -> Certificate:
    """A new key and certificate for ``127.0.0.1`` in ``folder`` (the key file mode 0600)."""
    import os

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ekslab sandbox")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "sandbox.key", folder / "sandbox.crt"
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Certificate(cert_file=cert_file, key_file=key_file)
