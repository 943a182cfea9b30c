"""``ekslab ipamd enis|pods|env|eni-configs``: saved bodies of every CNI era (tests/fixtures/ipamd, the
verification tests' fixtures), and live nodes through the loopback Kubernetes API's node proxy and SSM."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ekslab.cli.main import main
from tests.cli_run import run_cli
from tests.sources.fake_kube import FakeCluster, serve
from tests.verify.cluster_docs import daemonset, node

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ipamd"
BUNDLE = Path(__file__).resolve().parent.parent / "fixtures" / "bundles" / "workshop-2048"
BUNDLE_NODE_B = BUNDLE / "ipamd" / "ip-10-11-40-10.ap-northeast-2.compute.internal"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["ipamd", *args], capsys)


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = run([*args, "-o", "json"], capsys)
    assert (code, err.count("error")) == (0, 0), err
    return json.loads(out)


def assigned(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(ip, kind, "namespace/pod") of every assigned address of a normalised /v1/enis."""
    return [
        (
            address["ip"],
            cidr["kind"],
            f"{address['pod_namespace']}/{address['pod_name']}" if address["pod_name"] else None,
        )
        for eni in document["enis"]
        for cidr in eni["cidrs"]
        for address in cidr["addresses"]
        if address["assigned"]
    ]


# --- enis: one normalised form for every era (cni-facts.md §1.3) --------------------------------


@pytest.mark.parametrize(
    ("fixture", "era", "expected"),
    [
        # A: v1.0-v1.4 addresses are only {"Assigned": bool}
        (
            "enis-a-v1.3.json",
            "A",
            [
                ("192.168.12.101", "secondary IP", None),
                ("192.168.12.102", "secondary IP", None),
                ("192.168.14.21", "secondary IP", None),
            ],
        ),
        # A with the "Id" spelling of docs/troubleshooting.md
        (
            "enis-a-v1.6.json",
            "A",
            [("192.168.12.101", "secondary IP", None), ("192.168.12.102", "secondary IP", None)],
        ),
        # B: assigned iff IPAMKey is non-zero, including entries migrated from CRI
        (
            "enis-b-v1.7.json",
            "B",
            [
                ("192.168.12.101", "secondary IP", None),
                ("192.168.12.102", "secondary IP", None),
                ("192.168.14.21", "secondary IP", None),
            ],
        ),
        # C: prefix delegation, a /28 beside a never-used /32
        ("enis-c-v1.9.json", "C", [("192.168.45.16", "prefix", None), ("192.168.45.17", "prefix", None)]),
        # D: IPv6 /80 prefix
        (
            "enis-d-v1.10-ipv6.json",
            "D",
            [("2600:1f14:abc:de01:8f00::", "prefix", None), ("2600:1f14:abc:de01:8f00::1", "prefix", None)],
        ),
        # E: pod names; .17 released (in cooldown), .18 reassigned after its release
        (
            "enis-e-v1.11.json",
            "E",
            [
                ("192.168.45.16", "prefix", "kube-system/coredns-5d78c9869d-x7k2p"),
                ("192.168.45.18", "prefix", "game-2048/deployment-2048-7df5f9886b-4kq9z"),
                ("192.168.45.32", "prefix", "game-2048/deployment-2048-7df5f9886b-p2wq8"),
            ],
        ),
        # F: wrapped per network card
        (
            "enis-f-v1.20.json",
            "F",
            [
                ("192.168.12.101", "secondary IP", "kube-system/coredns-6b9575c64c-2vjzq"),
                ("192.168.14.21", "secondary IP", "game-2048/deployment-2048-7df5f9886b-4kq9z"),
                ("192.168.16.40", "secondary IP", "ml/trainer-0"),
            ],
        ),
        # G: container ids scrubbed, still assigned (networkName kept)
        (
            "enis-g-v1.23.json",
            "G",
            [
                ("192.168.45.16", "prefix", "kube-system/coredns-7bb8c8b5f9-mz4lt"),
                ("192.168.47.224", "prefix", "game-2048/deployment-2048-7df5f9886b-4kq9z"),
            ],
        ),
    ],
)
def test_enis_of_every_cni_era_in_one_normalised_form(
    capsys: pytest.CaptureFixture[str], fixture: str, era: str, expected: list[tuple[str, str, str | None]]
) -> None:
    document = run_json(["enis", "--file", str(FIXTURES / fixture)], capsys)
    assert (document["format"], assigned(document)) == (era, expected)


def test_enis_json_keeps_the_network_card_and_device_of_each_eni(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(["enis", "--file", str(FIXTURES / "enis-f-v1.20.json")], capsys)
    assert [(eni["eni"], eni["network_card"], eni["device_number"]) for eni in document["enis"]] == [
        ("eni-0a1b2c3d4e5f60001", 0, 0),
        ("eni-0a1b2c3d4e5f60002", 0, 1),
        ("eni-0a1b2c3d4e5f61001", 1, 1),
    ]


def test_enis_table_lists_every_cidr_even_one_never_used(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["enis", "--file", str(FIXTURES / "enis-c-v1.9.json")], capsys)
    lines = out.splitlines()
    assert (code, lines[0].split(": ", 1)[1], lines[1].split(), lines[2].split()) == (
        0,
        "/v1/enis format C (CNI v1.9 shape): 1 ENI, 2 assigned IPs; ipamd counts TotalIPs 17, AssignedIPs 2",
        ["ENI", "CARD", "DEV", "FLAGS", "SUBNET", "CIDR", "KIND", "IP", "ASSIGNED", "POD"],
        [
            "eni-0a1b2c3d4e5f60001",
            "0",
            "0",
            "primary",
            "-",
            "192.168.12.101/32",
            "secondary",
            "IP",
            "-",
            "-",
            "-",
        ],
    )


def test_concatenated_bodies_use_the_last_and_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    # eks-log-collector appends with >>, so a re-run leaves two documents (cni-facts.md §3).
    code, out, err = run(["enis", "--file", str(FIXTURES / "enis-concatenated.json"), "-o", "json"], capsys)
    assert (code, len(assigned(json.loads(out))), err) == (
        0,
        2,
        f"note: {FIXTURES / 'enis-concatenated.json'}: 2 concatenated documents, the last one is used\n",
    )


# --- pods --------------------------------------------------------------------------------------------


def test_pods_from_v1_pods_keep_names_devices_and_sandboxes(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(["pods", "--file", str(FIXTURES / "pods-v1.6.json")], capsys)
    assert (
        document["source"],
        [
            (pod["namespace"], pod["name"], pod["ip"], pod["device_number"], (pod["container_id"] or "")[:8])
            for pod in document["pods"]
        ],
    ) == (
        "/v1/pods",
        [
            ("game-2048", "deployment-2048-7df5f9886b-4kq9z", "192.168.14.21", 1, "1c2d3e4f"),
            ("kube-system", "cni-metrics-helper-6dcff5ddf4-v5l6d", "192.168.12.103", 0, ""),
            ("kube-system", "coredns-5c98db65d4-8kqm2", "192.168.12.101", 0, "4f2a9c1d"),
        ],
    )


def test_pods_of_a_v1_6_node_folder_get_their_eni_from_v1_enis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(FIXTURES / "pods-v1.6.json", tmp_path / "pods.json")
    shutil.copy(FIXTURES / "enis-a-v1.3.json", tmp_path / "enis.json")
    document = run_json(["pods", "--file", str(tmp_path)], capsys)
    assert [(pod["ip"], pod["eni"], pod["kind"]) for pod in document["pods"]] == [
        ("192.168.14.21", "eni-0a1b2c3d4e5f60002", "secondary IP"),
        ("192.168.12.103", "eni-0a1b2c3d4e5f60001", "secondary IP"),
        ("192.168.12.101", "eni-0a1b2c3d4e5f60001", "secondary IP"),
    ]


def test_pods_on_cni_1_7_plus_are_derived_from_v1_enis_and_it_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # v1.7+ answers /v1/pods with its command list (cni-facts.md §1.4); the bundle's node folder has both.
    code, out, err = run(["pods", "--file", str(BUNDLE_NODE_B), "-o", "json"], capsys)
    document = json.loads(out)
    assert (
        code,
        document["source"],
        [(pod["name"], pod["ip"], pod["kind"]) for pod in document["pods"]],
    ) == (
        0,
        "/v1/enis",
        [
            ("2048-deployment-7df5f9886b-p2wq8", "10.11.40.20", "prefix"),
            ("api-1", "10.11.40.16", "prefix"),
            ("api-2", "10.11.40.31", "prefix"),
        ],
    )
    assert err == (
        "note: /v1/pods is not served by this CNI version (removed in v1.7): pod IPs derived from the "
        "assigned addresses of /v1/enis\n"
    )


def test_pods_derived_before_v1_11_have_container_ids_and_a_note_on_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["pods", "--file", str(FIXTURES / "enis-b-v1.7.json")], capsys)
    rows = [line.split() for line in out.splitlines()[2:]]
    assert (code, [(row[0], row[1], row[2], row[-1]) for row in rows]) == (
        0,
        [
            ("-", "-", "192.168.12.101", "4f2a9c1d8e7b"),
            ("-", "-", "192.168.12.102", "9b8a7f6e5d4c"),
            ("-", "-", "192.168.14.21", "1c2d3e4f5a6b"),
        ],
    )
    assert err.splitlines()[1] == (
        "note: /v1/enis format B (CNI v1.7-v1.8 shape) records no pod names (CNI v1.11+ "
        "does); `ekslab pods` names the pod of each IP from the Kubernetes API"
    )


# GIVEN only /v1/enis WHEN pods are derived THEN the note says why /v1/pods is missing for that era:
# v1.0-v1.6 (format A) serve /v1/pods, so it was not given; v1.7+ do not serve it (cni-facts.md §1.2).
@pytest.mark.parametrize(
    ("fixture", "note"),
    [
        (
            "enis-a-v1.3.json",
            "note: /v1/enis format A means CNI v1.0-v1.6, which serves /v1/pods, but no usable /v1/pods "
            "body was given: pod IPs derived from the assigned addresses of /v1/enis",
        ),
        (
            "enis-a-v1.6.json",
            "note: /v1/enis format A means CNI v1.0-v1.6, which serves /v1/pods, but no usable /v1/pods "
            "body was given: pod IPs derived from the assigned addresses of /v1/enis",
        ),
        (
            "enis-b-v1.7.json",
            "note: /v1/pods is not served by this CNI version (removed in v1.7): pod IPs derived from the "
            "assigned addresses of /v1/enis",
        ),
        (
            "enis-g-v1.23.json",
            "note: /v1/pods is not served by this CNI version (removed in v1.7): pod IPs derived from the "
            "assigned addresses of /v1/enis",
        ),
    ],
)
def test_derived_pods_note_says_why_v1_pods_is_missing_for_the_era(
    capsys: pytest.CaptureFixture[str], fixture: str, note: str
) -> None:
    code, _, err = run(["pods", "--file", str(FIXTURES / fixture)], capsys)
    assert (code, err.splitlines()[0]) == (0, note)


def test_a_v1_7_pods_body_alone_cannot_be_shown(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "pods-v1.7-root.json"
    assert run(["pods", "--file", str(path)], capsys) == (
        2,
        "",
        (
            f"ekslab: error: {path}: is ipamd's list of commands: CNI v1.7+ does not serve /v1/pods "
            "(give the node's enis.json, or its folder, to derive pods from /v1/enis)\n"
        ),
    )


# --- env and eni-configs --------------------------------------------------------------------------


def test_env_shows_values_as_served_and_what_the_snat_enum_means(capsys: pytest.CaptureFixture[str]) -> None:
    # networkutils serves AWS_VPC_K8S_CNI_RANDOMIZESNAT as an int enum, 2 = prng (cni-facts.md §1.5).
    code, out, _ = run(["env", "--file", str(FIXTURES / "networkutils-env-settings-v1.23.json")], capsys)
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert (
        code,
        rows["AWS_VPC_K8S_CNI_RANDOMIZESNAT"],
        rows["AWS_VPC_K8S_CNI_EXTERNALSNAT"],
        rows["AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS"],
    ) == (0, ["2", "prng"], ["false", "-"], ['["10.10.0.0/16"]', "10.10.0.0/16"])


def test_env_of_the_seed_example_has_every_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The seed's own output of curl .../v1/networkutils-env-settings (v1.6.x).
    document = run_json(["env", "--file", str(FIXTURES / "networkutils-env-settings-v1.6.json")], capsys)
    assert sorted(document["settings"]) == [
        "AWS_VPC_CNI_NODE_PORT_SUPPORT",
        "AWS_VPC_ENI_MTU",
        "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER",
        "AWS_VPC_K8S_CNI_CONNMARK",
        "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS",
        "AWS_VPC_K8S_CNI_EXTERNALSNAT",
        "AWS_VPC_K8S_CNI_RANDOMIZESNAT",
    ]


def test_env_ipamd_reads_the_other_settings_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_json(["env", "--ipamd", "--file", str(FIXTURES / "ipamd-env-settings-v1.18.json")], capsys)
    assert (document["endpoint"], document["settings"]["AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"]) == (
        "/v1/ipamd-env-settings",
        True,
    )


# GIVEN one saved settings body WHEN shown with or without --ipamd THEN the title and endpoint are the
# body's own (its keys say which endpoint served it, cni-facts.md §1.5, §1.6), not the flag's.
@pytest.mark.parametrize(
    ("flags", "fixture", "endpoint"),
    [
        ([], "ipamd-env-settings-v1.18.json", "ipamd-env-settings"),
        (["--ipamd"], "networkutils-env-settings-v1.23.json", "networkutils-env-settings"),
        (["--ipamd"], "ipamd-env-settings-v1.12.json", "ipamd-env-settings"),
        ([], "networkutils-env-settings-v1.6.json", "networkutils-env-settings"),
    ],
)
def test_env_title_comes_from_the_body_not_the_flag(
    capsys: pytest.CaptureFixture[str], flags: list[str], fixture: str, endpoint: str
) -> None:
    path = FIXTURES / fixture
    code, out, _ = run(["env", *flags, "--file", str(path)], capsys)
    document = run_json(["env", *flags, "--file", str(path)], capsys)
    assert (code, out.splitlines()[0], document["endpoint"]) == (
        0,
        f"{path}: /v1/{endpoint}",
        f"/v1/{endpoint}",
    )


# GIVEN a saved body that is no settings body (an /v1/enis body, a kubectl list) WHEN shown as
# settings THEN exit 2 and one line, instead of printing its members as settings.
@pytest.mark.parametrize(
    ("flags", "body", "keys"),
    [
        ([], (FIXTURES / "enis-g-v1.23.json").read_text(), "['0']"),
        (
            ["--ipamd"],
            (FIXTURES / "enis-a-v1.6.json").read_text(),
            "['AssignedIPs', 'ENIIPPools', 'TotalIPs']",
        ),
        (
            [],
            json.dumps({"apiVersion": "v1", "items": [], "kind": "List"}),
            "['apiVersion', 'items', 'kind']",
        ),
    ],
)
def test_env_refuses_a_body_that_is_no_settings_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], body: str, keys: str
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(body)
    assert run(["env", *flags, "--file", str(path)], capsys) == (
        2,
        "",
        f"ekslab: error: {path}: has none of the settings ipamd reports (e.g. AWS_VPC_K8S_CNI_EXTERNALSNAT, "
        f"WARM_ENI_TARGET), so it is no /v1/networkutils-env-settings or /v1/ipamd-env-settings body, "
        f"got {keys}\n",
    )


def test_env_of_a_node_folder_whose_file_holds_the_other_body_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In a node folder the file name says which endpoint it is: a mismatch is a wrong file, not a guess.
    shutil.copy(FIXTURES / "ipamd-env-settings-v1.12.json", tmp_path / "networkutils-env-settings.json")
    shutil.copy(FIXTURES / "enis-g-v1.23.json", tmp_path / "enis.json")
    assert run(["env", "--file", str(tmp_path)], capsys) == (
        2,
        "",
        f"ekslab: error: {tmp_path}/networkutils-env-settings.json: is a /v1/ipamd-env-settings body, "
        "expected /v1/networkutils-env-settings, "
        "got ['AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'WARM_ENI_TARGET', 'WARM_IP_TARGET']\n",
    )


def test_env_shows_a_snat_enum_value_no_version_defines_as_served(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((FIXTURES / "networkutils-env-settings-v1.23.json").read_text())
    document["AWS_VPC_K8S_CNI_RANDOMIZESNAT"] = 5
    path = tmp_path / "networkutils-env-settings.json"
    path.write_text(json.dumps(document))
    code, out, _ = run(["env", "--file", str(path)], capsys)
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert (code, rows["AWS_VPC_K8S_CNI_RANDOMIZESNAT"]) == (0, ["5", "-"])


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "eni-configs-v1.7.json",
            {
                "selected": "us-west-2a",
                "annotation_def": "k8s.amazonaws.com/eniConfig",
                "label_def": "topology.kubernetes.io/zone",
                "configs": {
                    "us-west-2a": {
                        "subnet": "subnet-0f9e8d7c6b5a4f3e2",
                        "security_groups": ["sg-0c1d2e3f4a5b6c7d8"],
                    }
                },
            },
        ),
        (
            "eni-configs-v1.8.json",
            {"selected": "us-west-2a", "annotation_def": None, "label_def": None, "configs": {}},
        ),
    ],
)
def test_eni_configs_of_both_shapes(
    capsys: pytest.CaptureFixture[str], fixture: str, expected: dict[str, Any]
) -> None:
    document = run_json(["eni-configs", "--file", str(FIXTURES / fixture)], capsys)
    assert {key: value for key, value in document.items() if key != "node"} == expected


# --- raw and errors ---------------------------------------------------------------------------------


def test_raw_prints_the_body_exactly_as_saved(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    path = BUNDLE_NODE_B / "enis.json"
    with pytest.raises(SystemExit) as exited:
        main(["ipamd", "enis", "--raw", "--file", str(BUNDLE_NODE_B)])
    out = capsysbinary.readouterr().out
    assert (exited.value.code or 0, out.rstrip(b"\n")) == (0, path.read_bytes().rstrip(b"\n"))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", ": is empty (introspection disabled, bound to another address, or ipamd not running)"),
        (
            '{"ENIs": {"eni-1": {"DeviceNumber": 0',
            " line 1 column 38: is not valid JSON (Expecting ',' delimiter; the "
            "file may be truncated), expected ipamd's /v1/enis body",
        ),
        (
            '{"AvailableCommands": ["/v1/enis"]}',
            ": is ipamd's list of commands, not ENI data (the request went to an unknown path)",
        ),
        (
            '{"TotalIPs": 1}',
            ": has neither ENIs (CNI v1.7+) nor ENIIPPools (CNI v1.0-v1.6), got ['TotalIPs']",
        ),
    ],
)
def test_unusable_saved_body_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, error: str
) -> None:
    path = tmp_path / "enis.json"
    path.write_text(body)
    assert run(["enis", "--file", str(path)], capsys) == (2, "", f"ekslab: error: {path}{error}\n")


@pytest.mark.parametrize(
    "args", [["enis"], ["enis", "--node", "n", "--file", str(FIXTURES / "enis-g-v1.23.json")]]
)
def test_exactly_one_of_node_and_file(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, _, err = run(args, capsys)
    assert (code, err) == (
        2,
        "ekslab: error: ekslab ipamd enis: give either --node NODE (a live node) or --file F "
        "(saved bodies) (see 'ekslab ipamd enis --help')\n",
    )


# --- live nodes ---------------------------------------------------------------------------------------


NODE = "ip-10-0-40-10.us-west-2.compute.internal"


def proxied_cluster(bind_address: str = "0.0.0.0:61679") -> FakeCluster:
    """One node whose ipamd the API server's node proxy reaches, serving the bundle's bodies."""
    cluster = FakeCluster()
    cluster.objects["nodes"] = [
        node(
            "ip-10-0-1-10.us-west-2.compute.internal",
            instance_id="i-0aaaaaaaaaaaaaaa1",
            internal_ip="10.0.1.10",
        ),
        node(NODE, instance_id="i-0bbbbbbbbbbbbbbb2", internal_ip="10.0.40.10"),
    ]
    cluster.daemonset = daemonset({"INTROSPECTION_BIND_ADDRESS": bind_address})
    for file in BUNDLE_NODE_B.iterdir():
        cluster.proxy_bodies[(NODE, f"v1/{file.stem}")] = (200, file.read_bytes())
    return cluster


def test_live_enis_through_the_node_proxy_match_the_saved_bodies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(proxied_cluster(), tmp_path) as kubeconfig:
        live = run_json(
            ["enis", "--node", NODE, "--ipamd-transport", "proxy", "--kubeconfig", str(kubeconfig)], capsys
        )
    saved = run_json(["enis", "--file", str(BUNDLE_NODE_B)], capsys)
    assert (live["node"], assigned(live)) == (f"ipamd on {NODE}", assigned(saved))


def test_live_node_is_read_with_one_get_not_a_list_of_every_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = proxied_cluster()
    with serve(cluster, tmp_path) as kubeconfig:
        run_json(
            ["enis", "--node", NODE, "--ipamd-transport", "proxy", "--kubeconfig", str(kubeconfig)], capsys
        )
    assert (cluster.requests[f"/api/v1/nodes/{NODE}"], cluster.requests["/api/v1/nodes"]) == (1, 0)


def test_live_raw_is_the_body_as_served(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with serve(proxied_cluster(), tmp_path) as kubeconfig, pytest.raises(SystemExit):
        main(
            [
                "ipamd",
                "env",
                "--raw",
                "--node",
                NODE,
                "--ipamd-transport",
                "proxy",
                "--kubeconfig",
                str(kubeconfig),
            ]
        )
    served = (BUNDLE_NODE_B / "networkutils-env-settings.json").read_bytes()
    assert capsysbinary.readouterr().out.rstrip(b"\n") == served.rstrip(b"\n")


def test_live_pods_are_derived_on_a_v1_23_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(proxied_cluster(), tmp_path) as kubeconfig:
        document = run_json(
            ["pods", "--node", NODE, "--ipamd-transport", "proxy", "--kubeconfig", str(kubeconfig)], capsys
        )
    assert (document["source"], len(document["pods"])) == ("/v1/enis", 3)


def test_live_unknown_node_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(proxied_cluster(), tmp_path) as kubeconfig:
        code, _, err = run(
            ["enis", "--node", "ip-9-9-9-9", "--ipamd-transport", "proxy", "--kubeconfig", str(kubeconfig)],
            capsys,
        )
    assert (code, err) == (
        2,
        "ekslab: error: --node: is not a node of the cluster (see kubectl get nodes), got 'ip-9-9-9-9'\n",
    )


def test_live_ipamd_on_loopback_only_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The default bind 127.0.0.1:61679 is not reachable through the node proxy (cni-facts.md §1.1).
    cluster = proxied_cluster()
    cluster.daemonset = daemonset({})
    cluster.proxy_bodies.clear()
    with serve(cluster, tmp_path) as kubeconfig:
        code, out, err = run(
            ["enis", "--node", NODE, "--ipamd-transport", "proxy", "--kubeconfig", str(kubeconfig)], capsys
        )
    assert (
        code,
        out,
        len(err.splitlines()),
        err.endswith("(ipamd listens on loopback only: use --ipamd-transport ssm))\n"),
    ) == (1, "", 1, True)


def test_live_over_ssm_reports_a_node_that_printed_nothing(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # moto runs no command: SSM answers Success with an empty output, which must not pass as data.
    from tests.sources.moto_lab import REGION, make_lab

    lab = make_lab(secondary_ips=1)
    cluster = FakeCluster()
    cluster.objects["nodes"] = [
        node(name, instance_id=instance, internal_ip=lab.primary_ips[instance])
        for name, instance in zip(lab.node_names, lab.instances, strict=True)
    ]
    with serve(cluster, tmp_path) as kubeconfig:
        code, out, err = run(
            [
                "enis",
                "--node",
                lab.node_names[0],
                "--region",
                REGION,
                "--kubeconfig",
                str(kubeconfig),
                "--timeout",
                "20",
            ],
            capsys,
        )
    assert (
        code,
        out,
        err.startswith(f"ekslab: error: ipamd on {lab.node_names[0]}: could not be fetched (SSM command "),
        err.endswith("the command printed no introspection output)\n"),
    ) == (1, "", True, True)
