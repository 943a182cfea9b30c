"""Regenerating the limits table from EC2 DescribeInstanceTypes, never over the network.

Two real servers on 127.0.0.1: moto (tests/conftest.py) for a whole-catalogue refresh, and a small
HTTP server replaying recorded, API-shaped pages (tests/limits/recorded/) for pagination and
throttling, which moto's DescribeInstanceTypes does not do (it returns one page).
Row rules: github.com/aws/amazon-vpc-cni-k8s scripts/gen_vpc_ip_limits.go (cni-facts.md §4).
"""

from __future__ import annotations

import contextlib
import http.server
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from ekslab.cli.main import main
from ekslab.limits import NetworkCard
from ekslab.limits.refresh import RefreshResult, limits_from_description, refresh_table
from ekslab.limits.table import LIMITS_FILE, LimitsTable, default_table, read_table
from tests.conftest import aws_at
from tests.sources.loopback import serving

RECORDED = Path(__file__).parent / "recorded"


# --- a loopback EC2 endpoint that replays recorded pages -----------------------------------------


@dataclass
class Replay:
    url: str
    throttle_first: bool = False
    tokens: list[str | None] = field(default_factory=list)
    """NextToken of every DescribeInstanceTypes request, in order (None for the first page)."""


@contextlib.contextmanager
def _replaying() -> Iterator[Replay]:
    replay = Replay(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            assert body["Action"] == ["DescribeInstanceTypes"]
            token = body.get("NextToken", [None])[0]
            replay.tokens.append(token)
            if replay.throttle_first and len(replay.tokens) == 1:
                self._send(503, "request-limit-exceeded.xml")
            else:
                self._send(
                    200,
                    "describe-instance-types-page2.xml"
                    if token == "page-2"
                    else "describe-instance-types-page1.xml",
                )

        def _send(self, status: int, name: str) -> None:
            payload = (RECORDED / name).read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml;charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(Handler) as url:
        replay.url = url
        yield replay


@pytest.fixture
def recorded_ec2() -> Iterator[Replay]:
    with _replaying() as replay:
        yield replay


@pytest.fixture
def recorded_aws(recorded_ec2: Replay) -> Iterator[Replay]:
    with aws_at(recorded_ec2.url):
        yield recorded_ec2


@dataclass(frozen=True)
class Refreshed:
    replay: Replay
    result: RefreshResult


@pytest.fixture(scope="module")
def refreshed() -> Iterator[Refreshed]:
    """One refresh of the shipped table from the two recorded pages, shared by the module (read-only)."""
    with _replaying() as replay, aws_at(replay.url):
        yield Refreshed(replay, refresh_table(default_table(), ["us-east-1"]))


# --- pagination and retries ----------------------------------------------------------------------


def test_refresh_follows_next_token_to_the_last_page(refreshed: Refreshed) -> None:
    # GIVEN an endpoint serving two pages  WHEN the table is refreshed
    # THEN both pages were requested, the second with the first page's token, and all four types read
    assert (refreshed.replay.tokens, refreshed.result.described) == ([None, "page-2"], 4)


def test_refresh_retries_a_throttled_request(recorded_aws: Replay) -> None:
    # GIVEN an endpoint that throttles the first request (RequestLimitExceeded)
    recorded_aws.throttle_first = True
    # WHEN the table is refreshed  THEN the request is retried and both pages arrive
    result = refresh_table(default_table(), ["us-east-1"])
    assert (recorded_aws.tokens, result.described) == ([None, None, "page-2"], 4)


def test_multi_card_type_counts_enis_of_the_default_card(refreshed: Refreshed) -> None:
    # c6in.32xlarge: 16 interfaces on the instance, 8 on card 0 (gen_vpc_ip_limits.go uses the default card).
    limits = refreshed.result.table.types["c6in.32xlarge"]
    assert (limits.enis, limits.network_cards) == (8, (NetworkCard(0, 8), NetworkCard(1, 8)))


def test_refreshed_rows_equal_the_shipped_rows_for_unchanged_types(refreshed: Refreshed) -> None:
    table = refreshed.result.table
    assert [table.types[name] for name in ("m5.large", "c6in.32xlarge", "a1.metal")] == [
        default_table().types[name] for name in ("m5.large", "c6in.32xlarge", "a1.metal")
    ]


def test_new_type_is_added_without_trunking_data(refreshed: Refreshed) -> None:
    # EC2 does not report trunking; a type the previous table lacks gets empty cells.
    result = refreshed.result
    limits = result.table.types["r9g.large"]
    assert (
        result.added,
        limits.enis,
        limits.ipv4_per_eni,
        limits.vcpus,
        limits.is_trunking_compatible,
        limits.branch_interfaces,
    ) == (("r9g.large",), 3, 20, 2, None, None)


def test_types_not_described_are_kept_unchanged(refreshed: Refreshed) -> None:
    # GIVEN four described types  WHEN the shipped 1,391-type table is refreshed from them
    result = refreshed.result
    # THEN every other type keeps its row and the header says how many were kept
    assert (len(result.kept), result.table.types["t3.small"]) == (1388, default_table().types["t3.small"])
    assert (
        result.table.source[-1]
        == "# carried over: 1388 types of the previous table that the queried regions "
        "did not describe, unchanged"
    )


def test_changed_limits_are_reported(recorded_aws: Replay) -> None:
    # GIVEN a previous table that says m5.large has 4 ENIs
    previous = LimitsTable(
        source=(),
        types={**default_table().types, "m5.large": replace(default_table().types["m5.large"], enis=4)},
    )
    # WHEN refreshed from EC2 (3 ENIs)  THEN m5.large is reported as changed and takes EC2's value
    result = refresh_table(previous, ["us-east-1"])
    assert (result.changed, result.table.types["m5.large"].enis) == (("m5.large",), 3)


# --- rows from DescribeInstanceTypes entries -----------------------------------------------------


def _entry(**overrides: Any) -> dict[str, Any]:
    entry = {
        "InstanceType": "m5.large",
        "Hypervisor": "nitro",
        "BareMetal": False,
        "VCpuInfo": {"DefaultVCpus": 2},
        "NetworkInfo": {
            "MaximumNetworkInterfaces": 3,
            "Ipv4AddressesPerInterface": 10,
            "DefaultNetworkCardIndex": 0,
            "NetworkCards": [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 3}],
        },
    }
    return {**entry, **overrides}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (_entry(), ("m5.large", 3, 10, "nitro", False)),
        (
            _entry(Hypervisor=None, BareMetal=True, InstanceType="m5.metal"),
            ("m5.metal", 3, 10, "unknown", True),
        ),
        (_entry(NetworkInfo={"MaximumNetworkInterfaces": 0, "Ipv4AddressesPerInterface": 10}), None),
        (_entry(NetworkInfo={"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 0}), None),
        (
            _entry(
                NetworkInfo={
                    "MaximumNetworkInterfaces": 4,
                    "Ipv4AddressesPerInterface": 15,
                    "DefaultNetworkCardIndex": 1,
                    "NetworkCards": [
                        {"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 1},
                        {"NetworkCardIndex": 1, "MaximumNetworkInterfaces": 3},
                    ],
                }
            ),
            ("m5.large", 3, 15, "nitro", False),
        ),
    ],
    ids=["plain", "no hypervisor is 'unknown'", "no ENIs: skipped", "no IPv4: skipped", "default card 1"],
)
def test_rows_follow_the_cni_generator(entry: dict, expected: tuple | None) -> None:
    limits = limits_from_description(entry)
    got = (
        None
        if limits is None
        else (limits.name, limits.enis, limits.ipv4_per_eni, limits.hypervisor, limits.is_bare_metal)
    )
    assert got == expected


# --- a whole catalogue from moto -----------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_refresh(moto_server: str) -> RefreshResult:
    """One refresh of the shipped table from moto's catalogue (about 1,400 types), shared by the module."""
    with aws_at(moto_server):
        return refresh_table(default_table(), ["us-east-1"])


def test_moto_catalogue_refresh_keeps_the_shipped_limits_of_m5_large(moto_refresh: RefreshResult) -> None:
    assert moto_refresh.table.types["m5.large"] == default_table().types["m5.large"]


def test_moto_catalogue_refresh_covers_the_table(moto_refresh: RefreshResult) -> None:
    # moto 5.2.5 describes 1,368 of the shipped types (vcpus.tsv header); the other 23 are kept.
    assert (moto_refresh.described - len(moto_refresh.added), len(moto_refresh.kept)) == (1368, 23)


# --- the command ---------------------------------------------------------------------------------


def test_command_writes_the_table_and_summarises(
    recorded_aws: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / LIMITS_FILE
    with pytest.raises(SystemExit) as caught:
        main(["plan", "refresh-limits", "--region", "us-east-1", "--output-file", str(target)])
    assert caught.value.code == 0
    assert capsys.readouterr().out == (
        f"wrote 1392 instance types to {target}: 4 described in us-east-1, 1 added, 0 changed, "
        "1388 kept from the previous table\n"
    )
    assert read_table(target).types["r9g.large"].vcpus == 2


def test_command_refuses_a_missing_output_folder_before_calling_ec2(
    recorded_aws: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an output file in a folder that does not exist
    target = tmp_path / "missing" / LIMITS_FILE
    # WHEN the command runs  THEN one line, exit 2, and no EC2 request was made for nothing
    with pytest.raises(SystemExit) as caught:
        main(["plan", "refresh-limits", "--region", "us-east-1", "--output-file", str(target)])
    assert (caught.value.code, capsys.readouterr().err, recorded_aws.tokens) == (
        2,
        f"ekslab: error: --output-file {target}: its folder {target.parent} does not exist\n",
        [],
    )


def test_command_writes_a_new_table_with_the_umask_mode(
    recorded_aws: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / LIMITS_FILE
    saved = os.umask(0o022)
    try:
        with pytest.raises(SystemExit):
            main(["plan", "refresh-limits", "--region", "us-east-1", "--output-file", str(target)])
    finally:
        os.umask(saved)
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)  # like open(path, "w"), not mkstemp's 0600


def test_command_without_credentials_is_one_line(
    recorded_ec2: Replay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN no credentials anywhere boto3 looks (IMDS disabled; the endpoint is loopback regardless)
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", recorded_ec2.url)
    target = tmp_path / LIMITS_FILE
    # WHEN the command runs  THEN it fails with one line, exit 2, and writes nothing
    with pytest.raises(SystemExit) as caught:
        main(["plan", "refresh-limits", "--region", "us-east-1", "--output-file", str(target)])
    assert (caught.value.code, capsys.readouterr().err, target.exists()) == (
        2,
        "ekslab: error: AWS credentials: none found (set AWS_PROFILE or --profile, run `aws sso login` or "
        "`aws configure`, then try again)\n",
        False,
    )
