"""The Kubernetes API, through the official ``kubernetes`` client: paged lists, single GETs, the node proxy.

* Lists use ``limit``/``continue`` (``page_size`` items per request, so 150,000 pods are 300 requests at
  the default 500, kubectl's own chunk size) and are read as raw JSON (``_preload_content=False``):
  items go to the same record functions as a bundle's files, never through the client's model
  classes (which would cost seconds and gigabytes on a large cluster).
* Throttling (HTTP 429, honouring ``Retry-After``), 5xx answers and connection failures are retried
  by urllib3's ``Retry`` with exponential backoff; what still fails becomes one ``InputError`` line
  naming the request.
* A resource whose API is not installed (the ENIConfig or TargetGroupBinding CRD) reads as ``None``.
* Paging is bounded: a server that keeps sending continue tokens is stopped after the pages the first
  page's ``metadata.remainingItemCount`` justifies (plus ``PAGE_SLACK``), or ``MAX_LIST_PAGES``
  when it gives no count, and a token seen before ends the list as an error at once.
* The next page's request is sent while this page is decoded and used (``ekslab.sources.pages``):
  still one request at a time, the same requests as page by page.
* ``request_timeout`` is a deadline for the whole request, body included: a body that trickles in
  byte by byte is cut at the deadline (``read_body``), not read for as long as bytes keep coming.
* Each kubeconfig file (``--kubeconfig``, else every file of ``$KUBECONFIG``, else ``~/.kube/config``) is
  first read as every YAML input is (``ekslab.config.yamldoc``: a regular file of at most
  ``MAX_KUBECONFIG_BYTES``, bounded aliases and nesting) and must be a mapping, so that a hostile file
  is one line rather than a hang or a traceback from inside the client's own loader.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from ekslab.errors import InputError
from ekslab.jsondoc import loads
from ekslab.sources.deadline import Background
from ekslab.sources.pages import list_head

DEFAULT_PAGE_SIZE: Final = 500
ENICONFIG_API: Final = ("crd.k8s.amazonaws.com", "v1alpha1", "eniconfigs")
TARGET_GROUP_BINDING_API: Final = ("elbv2.k8s.aws", "v1beta1", "targetgroupbindings")
RETRY_STATUSES: Final = (429, 500, 502, 503, 504)
MAX_LIST_PAGES: Final = 10_000
"""Pages of one list at most: 5,000,000 items at the default page size, far above any cluster's."""
PAGE_SLACK: Final = 2
"""Pages allowed beyond what remainingItemCount justifies (the count is an estimate)."""
READ_CHUNK: Final = 64 * 1024
MAX_KUBECONFIG_BYTES: Final = 16 * 1024 * 1024
"""A kubeconfig with a hundred clusters and their embedded certificates is under 1 MB."""


@dataclass(frozen=True)
class KubeSettings:
    kubeconfig: str | None = None
    context: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    attempts: int = 5
    backoff: float = 0.5
    """urllib3 backoff factor: waits 0, 2x, 4x... this many seconds between attempts."""
    request_timeout: float = 60.0
    prefetch: bool = True
    """Send a list's next page request while this page is decoded and used (``ekslab.sources.pages``);
    False reads page by page (the benchmark's baseline)."""
    pool_size: int = 16
    cluster: str | None = None
    region: str | None = None
    """The EKS cluster and region, when known: named in the hint of a missing kubeconfig."""

    def update_kubeconfig_hint(self) -> str:
        """The AWS CLI command that writes the kubeconfig entry of the cluster (EKS user guide,
        https://docs.aws.amazon.com/eks/latest/userguide/create-kubeconfig.html)."""
        return f"run `aws eks update-kubeconfig --name {self.cluster or 'CLUSTER'} --region {self.region or 'REGION'}`"


class KubeSource:
    """Read-only access to one cluster's API server."""

    def __init__(self, settings: KubeSettings = KubeSettings()) -> None:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException
        from urllib3.util.retry import Retry

        self.settings = settings
        check_kubeconfig(settings.kubeconfig)
        configuration = client.Configuration()
        try:
            config.load_kube_config(
                config_file=settings.kubeconfig, context=settings.context, client_configuration=configuration
            )
        except (ConfigException, OSError, ValueError, TypeError, AttributeError, KeyError) as error:
            # A checked file can still hold the wrong types inside (contexts: a string...), which the
            # client reports with whatever exception its code meets first.
            where = settings.kubeconfig or "kubeconfig"
            text = " ".join(str(error).split())
            if isinstance(error, FileNotFoundError) or "No configuration found" in text:
                path = settings.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
                raise InputError(
                    f"kubeconfig {path}", "has no cluster to talk to", hint=settings.update_kubeconfig_hint()
                ) from None
            raise InputError(where, f"cannot be used ({text})") from None
        configuration.connection_pool_maxsize = settings.pool_size
        configuration.retries = Retry(
            total=settings.attempts - 1,
            connect=settings.attempts - 1,
            read=settings.attempts - 1,
            status=settings.attempts - 1,
            backoff_factor=settings.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.host = configuration.host
        self.requests = 0
        self._client = client.ApiClient(configuration)
        self._core = client.CoreV1Api(self._client)
        self._apps = client.AppsV1Api(self._client)
        self._networking = client.NetworkingV1Api(self._client)
        self._custom = client.CustomObjectsApi(self._client)
        # The node proxy gets its own client without retries: each node's fetch is bounded by a deadline.
        proxy_configuration = client.Configuration()
        config.load_kube_config(
            config_file=settings.kubeconfig,
            context=settings.context,
            client_configuration=proxy_configuration,
        )
        proxy_configuration.connection_pool_maxsize = settings.pool_size
        proxy_configuration.retries = False
        # Keep "node:port" and the path's "/" as they are: the URL is /nodes/<node>:<port>/proxy/v1/enis.
        proxy_configuration.safe_chars_for_path_param = ":/"
        self._proxy = client.CoreV1Api(client.ApiClient(proxy_configuration))

    # --- lists -------------------------------------------------------------------------------------

    def pods(self) -> Iterator[list[dict[str, Any]]]:
        """Pages of pods of every namespace."""
        return self._pages("list pods", self._core.list_pod_for_all_namespaces)

    def nodes(self) -> Iterator[list[dict[str, Any]]]:
        return self._pages("list nodes", self._core.list_node)

    def services(self) -> list[dict[str, Any]]:
        return self._all("list services", self._core.list_service_for_all_namespaces) or []

    def ingresses(self) -> list[dict[str, Any]] | None:
        return self._all("list ingresses", self._networking.list_ingress_for_all_namespaces)

    def eniconfigs(self) -> list[dict[str, Any]] | None:
        """Every ENIConfig, or None when the CRD is not installed."""
        return self._all("list eniconfigs", self._custom.list_cluster_custom_object, *ENICONFIG_API)

    def target_group_bindings(self) -> list[dict[str, Any]] | None:
        """Every TargetGroupBinding, or None when the AWS Load Balancer Controller's CRD is not installed."""
        return self._all(
            "list targetgroupbindings", self._custom.list_cluster_custom_object, *TARGET_GROUP_BINDING_API
        )

    def node(self, name: str) -> dict[str, Any] | None:
        """One node by name (a single GET, not a list of every node), or None when there is none."""
        try:
            return self._get(f"read node {name}", self._core.read_node, name, optional=True)
        except _NotFound:
            return None

    def aws_node_daemonset(self) -> dict[str, Any] | None:
        try:
            return self._get(
                "read daemonset kube-system/aws-node",
                self._apps.read_namespaced_daemon_set,
                "aws-node",
                "kube-system",
                optional=True,
            )
        except _NotFound:
            return None

    # --- node proxy --------------------------------------------------------------------------------

    def node_proxy_get(self, node: str, port: int, path: str, *, timeout: float) -> tuple[int, bytes]:
        """GET ``path`` on ``node:port`` through the API server's node proxy: (HTTP status, body).

        Transport failures (refused, timed out) raise ``ConnectionError`` with a short reason;
        ``timeout`` bounds the whole request, body included. One GET; the fan-out keeps the getter
        (``node_proxy_getter``) for all of its GETs.
        """
        return self.node_proxy_getter()(node, port, path, timeout=timeout)

    def node_proxy_getter(self) -> NodeProxyGet:
        """``node_proxy_get`` for many GETs: the request ``CoreV1Api.connect_get_node_proxy_with_path``
        sends, without the generated client's per-call work (``NodeProxyGet``)."""
        return NodeProxyGet(self._proxy.api_client)

    # --- plumbing ----------------------------------------------------------------------------------

    def _pages(
        self, what: str, call: Any, *args: Any, optional: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        """The list's pages in order. With ``settings.prefetch`` the next page's request is sent as
        soon as this page's metadata is read, and the page is decoded and used while it is out
        (``ekslab.sources.pages``); without it, after the caller has used the page. The same requests
        and the same errors, in the same order, either way."""

        def fetch(token: str | None) -> bytes:
            return self._fetch(
                what, call, *args, limit=self.settings.page_size, _continue=token, optional=optional
            )

        bounds = _ListBounds(f"Kubernetes API {what} ({self.host})", self.settings.page_size)
        data: bytes | None = fetch(None)
        page = 1
        while data is not None:
            head = list_head(data) if self.settings.prefetch else None
            following = None if head is None else self._following(bounds, page, head, fetch)
            body = self._decode(what, data)
            items = body.get("items")
            if not isinstance(items, list):
                raise InputError(f"Kubernetes API {what}", "answered without an items list")
            yield items
            if following is None:
                metadata = body.get("metadata")
                following = self._following(
                    bounds, page, metadata if isinstance(metadata, dict) else {}, fetch
                )
            data = following()
            page += 1

    def _following(
        self,
        bounds: _ListBounds,
        page: int,
        metadata: dict[str, Any],
        fetch: Callable[[str | None], bytes],
    ) -> Callable[[], bytes | None]:
        """What comes after ``page``: a call giving the next page's bytes (its request already sent
        with ``prefetch``), None at the end of the list, or raising the error that ends it."""
        try:
            token = bounds.next_token(page, metadata)
        except InputError as error:
            refusal = error

            def refuse() -> bytes | None:
                raise refusal

            return refuse
        if token is None:
            return lambda: None
        if self.settings.prefetch:
            return Background(lambda: fetch(token), name="ekslab-page").result
        return lambda: fetch(token)

    def _all(self, what: str, call: Any, *args: Any) -> list[dict[str, Any]] | None:
        """Every item of a (small) list, or None when its API is not installed (HTTP 404)."""
        items: list[dict[str, Any]] = []
        try:
            for page in self._pages(what, call, *args, optional=True):
                items.extend(page)
        except _NotFound:
            return None
        return items

    def _get(self, what: str, call: Any, *args: Any, optional: bool = False, **kwargs: Any) -> dict[str, Any]:
        """One GET as parsed JSON; HTTP 404 raises _NotFound when ``optional``, else InputError."""
        return self._decode(what, self._fetch(what, call, *args, optional=optional, **kwargs))

    def _fetch(self, what: str, call: Any, *args: Any, optional: bool = False, **kwargs: Any) -> bytes:
        """One GET's body bytes; HTTP 404 raises _NotFound when ``optional``, else InputError."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        kwargs = {key: value for key, value in kwargs.items() if value is not None}
        self.requests += 1
        try:
            response = call(
                *args, _preload_content=False, _request_timeout=self.settings.request_timeout, **kwargs
            )
        except ApiException as error:
            if error.status == 404 and optional:
                raise _NotFound from None
            if error.status == 410:
                # The continue token outlived the resource version it names (etcd compaction); the list
                # must start again, which only a new run can do without counting items twice.
                raise InputError(
                    f"Kubernetes API {what} ({self.host})",
                    "failed: HTTP 410 Gone, the list's continue token expired while it was read page by page",
                    hint="run the command again; a larger --page-size reads it in fewer pages",
                ) from None
            status = f"HTTP {error.status} {error.reason or ''}".strip()
            attempts = f" after {self.settings.attempts} attempts" if error.status in RETRY_STATUSES else ""
            raise InputError(f"Kubernetes API {what} ({self.host})", f"failed{attempts}: {status}") from None
        except HTTPError as error:
            raise InputError(
                f"Kubernetes API {what} ({self.host})",
                f"did not answer after {self.settings.attempts} attempts ({_reason(error)})",
            ) from None
        try:
            return read_body(response, time.monotonic() + self.settings.request_timeout)
        except TimeoutError:
            raise InputError(
                f"Kubernetes API {what} ({self.host})",
                f"did not send its whole answer within {self.settings.request_timeout:g} s",
            ) from None
        except HTTPError as error:
            raise InputError(
                f"Kubernetes API {what} ({self.host})", f"answer was cut ({_reason(error)})"
            ) from None

    def _decode(self, what: str, data: bytes) -> Any:
        try:
            return loads(data.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise InputError(
                f"Kubernetes API {what} ({self.host})", f"answered with invalid JSON ({error})"
            ) from None


class _ListBounds:
    """The paging bounds of one list: a token seen before ends it, and so do more pages than the
    first page's ``remainingItemCount`` justifies (``MAX_LIST_PAGES`` without one)."""

    def __init__(self, where: str, page_size: int) -> None:
        self.where = where
        self.page_size = page_size
        self.seen: set[str] = set()
        self.allowed = MAX_LIST_PAGES
        self.remaining: Any = None

    def next_token(self, page: int, metadata: dict[str, Any]) -> str | None:
        """The continue token after ``page`` (None at the end); InputError when the list must stop."""
        if page == 1:
            self.remaining = metadata.get("remainingItemCount")
            self.allowed = _pages_allowed(self.remaining, self.page_size)
        token = metadata.get("continue")
        if not token:
            return None
        if not isinstance(token, str) or token in self.seen:
            raise InputError(
                self.where,
                f"sent a continue token it had sent before (page {page}); the list would never end",
            )
        self.seen.add(token)
        if page + 1 > self.allowed:
            raise InputError(
                self.where,
                f"kept sending continue tokens: stopped after {self.allowed:,} pages of "
                f"{self.page_size}, more than {_justified(self.remaining)} justifies",
            )
        return token


def read_body(response: Any, deadline: float) -> bytes:
    """The body of a urllib3 response read by chunks, given up at ``deadline`` (``time.monotonic()``):
    the socket timeout bounds each read, this bounds them all (a body dripped byte by byte).

    Raises ``TimeoutError`` at the deadline (the connection is closed) and urllib3's ``HTTPError``
    for a body cut short.
    """
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            _read_timeout(response, left)
            chunk = response.read1(READ_CHUNK) if hasattr(response, "read1") else response.read(READ_CHUNK)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except TimeoutError:
        response.close()
        raise
    finally:
        if hasattr(response, "release_conn"):
            response.release_conn()


def _read_timeout(response: Any, seconds: float) -> None:
    """Let the next read of ``response`` wait at most ``seconds`` (never past the deadline)."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(0.01, seconds))


def _pages_allowed(remaining: Any, page_size: int) -> int:
    """Pages a list may take: those ``remainingItemCount`` after the first page justifies, plus
    ``PAGE_SLACK``; ``MAX_LIST_PAGES`` without a usable count."""
    if isinstance(remaining, bool) or not isinstance(remaining, int) or remaining < 0:
        return MAX_LIST_PAGES
    return min(MAX_LIST_PAGES, 1 + math.ceil(remaining / max(1, page_size)) + PAGE_SLACK)


def _justified(remaining: Any) -> str:
    if isinstance(remaining, int) and not isinstance(remaining, bool):
        return f"the first page's remainingItemCount ({remaining:,})"
    return "any cluster"


def check_kubeconfig(path: str | None) -> None:
    """Read every kubeconfig file the client would read (``path``, else ``$KUBECONFIG``'s files, else
    ``~/.kube/config``) as a bounded YAML mapping; a file that is not one is an InputError. Missing
    files of ``$KUBECONFIG`` are skipped, as the client skips them."""
    from ekslab.config.yamldoc import read_yaml

    if path is not None:
        paths, explicit = [path], True
    elif os.environ.get("KUBECONFIG"):
        paths, explicit = [item for item in os.environ["KUBECONFIG"].split(os.pathsep) if item], False
    else:
        paths, explicit = [os.path.expanduser("~/.kube/config")], False
    for item in paths:
        file = os.path.expanduser(item)
        if not explicit and not os.path.lexists(file):
            continue
        document = read_yaml(
            file, source=item, kind="kubeconfig file", expected="a kubeconfig", limit=MAX_KUBECONFIG_BYTES
        )
        if document is not None and not isinstance(document, dict):
            raise InputError(
                item,
                "must be a kubeconfig: a YAML mapping of clusters, contexts and users",
                type(document).__name__,
            )


class _NotFound(Exception):
    """HTTP 404: the resource or its API group does not exist."""


def _reason(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    text = " ".join(str(reason).split())
    for marker in ("Read timed out", "timed out", "Connection refused", "Max retries exceeded"):
        if marker in text:
            return marker.lower()
    return text[:120]


class NodeProxyGet:
    """``GET /api/v1/nodes/<node>:<port>/proxy/<path>`` (``KubeSource.node_proxy_get``): (HTTP
    status, body) whatever the status, ``ConnectionError`` with a short reason for a transport failure.

    The same request as ``CoreV1Api.connect_get_node_proxy_with_path`` (the URL quoted with the
    client's safe characters, its headers: ``Accept: */*``, the User-Agent, the bearer token the
    configuration holds, refreshed by its hook as the client refreshes it, ``Content-Type``) through
    the same ``PoolManager.request`` call on the kube client's node-proxy pool (its TLS, client
    certificate, CA, proxy, no retries, redirects as urllib3 handles them), with the same
    ``timeout`` for the whole request, body included (``read_body``). What it leaves out is the
    generated client's work per call (parameter sanitizing and validation, an ``ApiException`` built
    from a body read whole): about half the fan-out's CPU under the GIL (docs/benchmarks.md). An
    error answer's body is read as a 200's is, by chunks to the deadline; a TLS failure is a
    ``ConnectionError`` like any other transport failure.
    """

    def __init__(self, client: Any) -> None:
        import urllib3

        # KubeSource's node-proxy client (its own configuration: no retries, ":/" kept in the path).
        self.client = client
        self.configuration = self.client.configuration
        self.manager = self.client.rest_client.pool_manager
        self.timeout = urllib3.Timeout

    def __call__(self, node: str, port: int, path: str, *, timeout: float) -> tuple[int, bytes]:
        from urllib3.exceptions import HTTPError

        deadline = time.monotonic() + timeout
        safe = self.configuration.safe_chars_for_path_param
        url = (
            f"{self.configuration.host}/api/v1/nodes/{quote(f'{node}:{port}', safe=safe)}"
            f"/proxy/{quote(path, safe=safe)}"
        )
        headers = {"Accept": "*/*", **self.client.default_headers}
        if self.client.cookie:
            headers["Cookie"] = self.client.cookie
        self.client.update_params_for_auth(headers, [], ["BearerToken"])
        headers.setdefault("Content-Type", "application/json")
        try:
            response = self.manager.request(
                "GET", url, headers=headers, preload_content=False, timeout=self.timeout(total=timeout)
            )
            return response.status, read_body(response, deadline)
        except TimeoutError:
            raise ConnectionError(f"did not send its whole answer within {timeout:g} s") from None
        except HTTPError as error:
            raise ConnectionError(_reason(error)) from None
