"""`ekslab addons refresh`: pins from eks:DescribeAddonVersions (botocore-model EKS endpoint on loopback),
written atomically, printed as a diff, and the file untouched when a call fails."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ekslab.cli.main import main
from ekslab.cni.pins import refreshed_document
from ekslab.cni.versions import ADDONS, pin_document, pinned_version
from ekslab.sources.eks_addons import AddonOffer, offer_from_pages
from tests.conftest import FAKE_CREDENTIALS
from tests.sources.fake_eks import FakeEks, addon_entry, fake_eks

NOW = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.UTC)


def test_the_default_version_is_the_one_flagged_for_the_kubernetes_version() -> None:
    pages = [
        {
            "addons": [
                {
                    "addonName": "vpc-cni",
                    "addonVersions": [
                        addon_entry("v1.23.1-eksbuild.1", cluster_versions={"1.36": False, "1.35": True}),
                        addon_entry("v1.22.4-eksbuild.3", cluster_versions={"1.36": True}),
                    ],
                }
            ]
        },
    ]
    offer = offer_from_pages("vpc-cni", "1.36", pages)
    assert offer == AddonOffer(
        "vpc-cni", "1.36", ("v1.23.1-eksbuild.1", "v1.22.4-eksbuild.3"), "v1.22.4-eksbuild.3"
    )


def test_refreshed_document_pins_defaults_and_keeps_unflagged_pins() -> None:
    previous = pin_document()
    offers = [
        AddonOffer("vpc-cni", "1.36", ("v1.23.1-eksbuild.1",), "v1.23.1-eksbuild.1"),
        AddonOffer("kube-proxy", "1.36", (), None),
    ]
    document, changes = refreshed_document(previous, offers, region="us-west-2", now=NOW)
    assert [change.line() for change in changes] == ["1.36 vpc-cni: v1.22.4-eksbuild.3 -> v1.23.1-eksbuild.1"]
    assert document["pins"]["1.36"]["vpc-cni"]["source"] == (
        "eks:DescribeAddonVersions in us-west-2 at 2026-12-02T20:00:00Z (`ekslab addons refresh`)"
    )
    assert (
        document["pins"]["1.36"]["kube-proxy"]["version"] == previous["pins"]["1.36"]["kube-proxy"]["version"]
    )
    assert previous["pins"]["1.36"]["vpc-cni"]["version"] == "v1.22.4-eksbuild.3"  # not mutated


@pytest.fixture
def eks(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEks]:
    state = FakeEks()
    for addon in ADDONS:
        pinned = pinned_version(addon, "1.36").version
        state.addons[addon] = [
            addon_entry("v9.9.9-eksbuild.1", cluster_versions={"1.37": True}),
            addon_entry(f"{pinned}1" if addon == "coredns" else pinned, cluster_versions={"1.36": True}),
            addon_entry("v0.0.1-eksbuild.1", cluster_versions={"1.36": False}),
        ]
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    with fake_eks(state) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_EKS", url)
        yield state


def _pin_file(tmp_path: Path) -> Path:
    path = tmp_path / "pins.json"
    path.write_text(json.dumps(pin_document(), indent=2) + "\n", encoding="utf-8")
    return path


def test_refresh_writes_the_defaults_and_prints_the_changes(
    eks: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN EKS defaulting 1.36 to the pinned builds except CoreDNS, and 1.37 to v9.9.9
    target = _pin_file(tmp_path)
    # WHEN the pins of 1.36 and 1.37 are refreshed
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "addons",
                "refresh",
                "--region",
                "us-west-2",
                "--kubernetes-version",
                "1.36",
                "--kubernetes-version",
                "1.37",
                "--output-file",
                str(target),
            ]
        )
    out = capsys.readouterr().out
    # THEN the changed pins are printed and written; 1.37 is pinned and deployable
    assert exit_info.value.code in (0, None)
    assert out.splitlines()[:5] == [
        "~ 1.36 coredns: v1.14.3-eksbuild.3 -> v1.14.3-eksbuild.31",
        "~ 1.37 vpc-cni: none -> v9.9.9-eksbuild.1",
        "~ 1.37 kube-proxy: none -> v9.9.9-eksbuild.1",
        "~ 1.37 coredns: none -> v9.9.9-eksbuild.1",
        "~ 1.37 eks-pod-identity-agent: none -> v9.9.9-eksbuild.1",
    ]
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["pins"]["1.37"]["vpc-cni"]["version"] == "v9.9.9-eksbuild.1"
    assert written["pins"]["1.36"]["coredns"]["version"] == "v1.14.3-eksbuild.31"
    # AND DescribeAddonVersions was paged (two versions a page) for every add-on and version
    assert sum("nextToken=" in request for request in eks.requests) == 4


def test_a_failed_call_leaves_the_pin_file_untouched(
    eks: FakeEks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN EKS refusing DescribeAddonVersions
    eks.fail_with = (403, "AccessDeniedException")
    target = _pin_file(tmp_path)
    before = target.read_bytes()
    # WHEN refresh runs
    with pytest.raises(SystemExit) as exit_info:
        main(["addons", "refresh", "--region", "us-west-2", "--output-file", str(target)])
    # THEN one line, exit 2, and the file is byte for byte the same
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "ekslab: error: eks:DescribeAddonVersions: failed with AccessDeniedException; the pin file was not "
        "changed, got 'fake AccessDeniedException'\n"
    )
    assert target.read_bytes() == before


def test_an_unknown_kubernetes_version_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["addons", "refresh", "--region", "us-west-2", "--kubernetes-version", "1.31"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "ekslab: error: --kubernetes-version: must be one of 1.34, 1.35, 1.36, 1.37, got '1.31'\n"
    )
