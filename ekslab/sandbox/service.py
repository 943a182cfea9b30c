"""Starting and stopping the sandbox: moto and the Kubernetes API server, on loopback, with a lab.

``Sandbox`` runs both servers in the current process (tests use it directly, in a ``with`` block);
``up`` starts a background process that runs one and returns once it serves, ``down`` stops it. The
background process keeps its state in a private folder (mode 0700): ``state.json`` (its pid and
addresses), the ``kubeconfig`` that points at it, and ``sandbox.log``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from ekslab.errors import InputError
from ekslab.sandbox.kube_api import KubeApiServer, kubeconfig
from ekslab.sandbox.recorded import ACCOUNT, RecordedLab, load

DEFAULT_LAB: Final = Path(__file__).resolve().parent / "lab"
"""The recorded default lab the sandbox serves unless given another bundle."""
DEFAULT_CLUSTER: Final = "ekslab"
STATE_FILE: Final = "state.json"
START_TIMEOUT_SECONDS: Final = 120.0
STOP_TIMEOUT_SECONDS: Final = 15.0
FAKE_CREDENTIALS: Final = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
"""moto accepts any key; these make sure nothing signs with a real one."""


@dataclass(frozen=True)
class SandboxInfo:
    """Where a running sandbox serves, and what a shell needs to use it."""

    pid: int
    cluster: str
    region: str
    kube_url: str
    aws_url: str
    kubeconfig: str

    def environment(self) -> dict[str, str]:
        """The variables of a terminal on the sandbox's lab, as ``export`` lines print them."""
        return {
            "KUBECONFIG": self.kubeconfig,
            "AWS_ENDPOINT_URL": self.aws_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **FAKE_CREDENTIALS,
            "AWS_EC2_METADATA_DISABLED": "true",
            "EKSLAB_IPAMD_TRANSPORT": "proxy",
            "LAB": self.cluster,
        }

    def export_lines(self) -> list[str]:
        return [f"export {key}={_shell_quote(value)}" for key, value in self.environment().items()]


class Sandbox:
    """moto and the Kubernetes API server in this process, loaded with the lab of ``bundle``."""

    def __init__(
        self, state_dir: Path, *, bundle: Path = DEFAULT_LAB, cluster: str = DEFAULT_CLUSTER
    ) -> None:
        self.state_dir = state_dir
        self.bundle = bundle
        self.cluster = cluster
        self.lab: RecordedLab | None = None
        self._moto: Any = None
        self._kube: KubeApiServer | None = None

    def start(self) -> SandboxInfo:
        from moto.server import ThreadedMotoServer

        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # seconds saved, no image needed
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        aws_url = f"http://{host}:{port}"
        _reset_moto(aws_url)  # moto's state is per process: start from an empty account
        token = secrets.token_urlsafe(24)
        from ekslab.sandbox.kube_api import ClusterDocuments
        from ekslab.sandbox.tls import make_certificate

        _private_dir(self.state_dir)
        certificate = make_certificate(self.state_dir)
        self._kube = KubeApiServer(
            ClusterDocuments(tokens=frozenset({token})), tls=certificate.server_context()
        ).start()
        try:
            from ekslab.sandbox.recorded import region_of

            region = region_of(self.bundle)
            self.lab = load(
                self.bundle,
                cluster=self.cluster,
                clients=lambda service: _client(service, aws_url, region),
                endpoint=lambda name, vpc: _point_cluster_at(
                    name, region, self._kube.url if self._kube else "", certificate.authority_data, vpc
                ),
            )
        except BaseException:
            self.stop()
            raise
        lab_documents = self.lab.documents
        self._kube.documents.objects.update(lab_documents.objects)
        self._kube.documents.ipamd.update(lab_documents.ipamd)
        from ekslab.sandbox import ssm_nodes

        instances = {
            item["spec"].get("providerID", "").rsplit("/", 1)[-1]: item["metadata"]["name"]
            for item in lab_documents.objects.get("nodes", [])
        }
        ssm_nodes.install(instances.get, lambda node, endpoint: lab_documents.ipamd.get((node, endpoint)))
        config = self.state_dir / "kubeconfig"
        _write_private(
            config,
            json.dumps(kubeconfig(self._kube.url, token, authority_data=certificate.authority_data), indent=2)
            + "\n",
        )
        return SandboxInfo(
            pid=os.getpid(),
            cluster=self.cluster,
            region=self.lab.region,
            kube_url=self._kube.url,
            aws_url=aws_url,
            kubeconfig=str(config),
        )

    def stop_kube_api(self) -> None:
        """Stop only the Kubernetes API server: a lab whose API server cannot be reached."""
        if self._kube is not None:
            self._kube.stop()
            self._kube = None

    def stop(self) -> None:
        if self._kube is not None:
            self._kube.stop()
            self._kube = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None


@contextmanager
def running(
    state_dir: Path, *, bundle: Path = DEFAULT_LAB, cluster: str = DEFAULT_CLUSTER
) -> Iterator[SandboxInfo]:
    """A sandbox in this process for the length of a ``with`` block."""
    sandbox = Sandbox(state_dir, bundle=bundle, cluster=cluster)
    info = sandbox.start()
    try:
        yield info
    finally:
        sandbox.stop()


def _reset_moto(url: str) -> None:
    import urllib.request

    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):  # loopback only: the server just started
        pass


def _client(service: str, endpoint: str, region: str) -> Any:
    import boto3

    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _point_cluster_at(name: str, region: str, url: str, authority_data: str, vpc: dict[str, str]) -> None:
    """Make moto's EKS cluster answer DescribeCluster with the sandbox's API server as its endpoint.

    moto makes up an ``https://….eks.amazonaws.com`` endpoint and a random certificate; ``aws eks
    update-kubeconfig`` would write both into the kubeconfig, and kubectl would then try a public
    name. With the sandbox's address and certificate, the kubeconfig it writes works. moto's
    ``resourcesVpcConfig`` also lacks ``vpcId`` and ``clusterSecurityGroupId``, which EKS answers.
    moto has no API to set them, so the sandbox sets them on moto's own model (same process).
    """
    from moto.eks.models import eks_backends

    cluster = eks_backends[ACCOUNT][region].clusters[name]
    cluster.endpoint = url
    cluster.certificate_authority = {"data": authority_data}
    cluster.resources_vpc_config = {**cluster.resources_vpc_config, **vpc}  # moto leaves out vpcId


# --- the background process: `ekslab sandbox up` / `down` -------------------------------------------------


def default_state_dir() -> Path:
    """``$XDG_RUNTIME_DIR/ekslab-sandbox`` where that is set (private, per user), else ``~/.ekslab/sandbox``."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return Path(runtime) / "ekslab-sandbox" if runtime else Path.home() / ".ekslab" / "sandbox"


def up(state_dir: Path, *, bundle: Path = DEFAULT_LAB, cluster: str = DEFAULT_CLUSTER) -> SandboxInfo:
    """Start the sandbox in a background process and return once it serves."""
    running_info = status(state_dir)
    if running_info is not None:
        raise InputError(
            str(state_dir),
            f"a sandbox is already running (pid {running_info.pid})",
            hint="stop it with `ekslab sandbox down`",
        )
    _private_dir(state_dir)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    log = state_dir / "sandbox.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ekslab.sandbox", str(state_dir), str(bundle), cluster],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives the terminal command that started it
            env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        info = _read_state(state_dir)
        if info is not None and info.pid == process.pid:
            return info
        if process.poll() is not None:
            last = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
            raise InputError(
                "ekslab sandbox up", "the sandbox stopped while starting", (last or ["no output"])[0]
            )
        time.sleep(0.1)
    _terminate(process.pid)
    raise InputError("ekslab sandbox up", f"the sandbox did not start within {START_TIMEOUT_SECONDS:g} s")


def down(state_dir: Path) -> SandboxInfo | None:
    """Stop the sandbox of ``state_dir``; ``None`` when none was running."""
    info = _read_state(state_dir)
    if info is not None and _alive(info.pid):
        _terminate(info.pid)
    for name in (STATE_FILE, "kubeconfig"):
        (state_dir / name).unlink(missing_ok=True)
    return info if info is not None and not _alive(info.pid) else None


def status(state_dir: Path) -> SandboxInfo | None:
    """The running sandbox of ``state_dir``, if any."""
    info = _read_state(state_dir)
    return info if info is not None and _alive(info.pid) else None


def serve(state_dir: Path, bundle: Path, cluster: str) -> int:
    """The background process: start, publish ``state.json``, serve until SIGTERM or SIGINT."""
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    sandbox = Sandbox(state_dir, bundle=bundle, cluster=cluster)
    info = sandbox.start()
    _write_private(state_dir / STATE_FILE, json.dumps(asdict(info), indent=2) + "\n")
    print(
        f"ekslab sandbox: serving {cluster} in {info.region}: kube {info.kube_url}, aws {info.aws_url}",
        flush=True,
    )
    try:
        stopped.wait()
    finally:
        sandbox.stop()
    return 0


def _read_state(state_dir: Path) -> SandboxInfo | None:
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
        return SandboxInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child (tests): reap it
                return
        if not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def _write_private(path: Path, text: str) -> None:
    _private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _shell_quote(value: str) -> str:
    import shlex

    return shlex.quote(value)
