"""The report's model and page from the workshop bundle: where each pod sits, what is escaped, what plugs in."""

from __future__ import annotations

from pathlib import Path

from markupsafe import escape

from ekslab.ledger import build_ledger
from ekslab.report.html import render
from ekslab.report.ledger import LedgerBlock, LedgerSubnet
from ekslab.report.ledger_view import ledger_notes, ledger_subnets
from ekslab.report.model import ReportModel, build_model
from ekslab.sources.bundle import read_bundle
from ekslab.verify.checks import Expectations, verify
from ekslab.verify.results import FAIL, CheckResult
from tests.report.conftest import HOSTILE_ENI, HOSTILE_NAME, WORKSHOP

NODE_A = "ip-10-11-17-10.ap-northeast-2.compute.internal"
NODE_B = "ip-10-11-40-10.ap-northeast-2.compute.internal"


def model_of(bundle: Path, **extra: object) -> ReportModel:
    """The model as ``ekslab report`` builds it: with the ledger of the same snapshot, unless given."""
    snapshot = read_bundle(bundle)
    report = verify(snapshot, Expectations(aws_node_env={}, init_env={}))
    if "ledger" not in extra:
        ledger = build_ledger(snapshot)
        extra = {
            **extra,
            "ledger": ledger_subnets(ledger, snapshot),
            "ledger_notes": ledger_notes(ledger, snapshot),
        }
    return build_model(snapshot, report, generated="2026-12-02 20:00:00 UTC", tool="ekslab test", **extra)


def node(model: ReportModel, name: str):
    return next(n for z in model.zones for s in z.subnets for n in s.nodes if n.name == name)


def test_every_pod_with_an_eni_sits_in_the_slot_of_its_ip() -> None:
    # GIVEN the workshop bundle (node A secondary IPs on two ENIs, node B one /28 prefix)
    # WHEN the model is built
    model = model_of(WORKSHOP)
    # THEN each placed pod is in the slot of its own IP on the ENI verify found, and nothing else is
    placed = {
        (slot.pod.namespace, slot.pod.name): (eni.eni_id, slot.ip)
        for z in model.zones
        for s in z.subnets
        for n in s.nodes
        for eni in n.enis
        for group in eni.groups
        for slot in group.slots
        if slot.pod is not None
    }
    assert placed == {
        ("default", "web-1"): ("eni-0a00000000000000a", "10.11.17.11"),
        ("2048-game", "2048-deployment-7df5f9886b-4kq9z"): ("eni-0a00000000000000a", "10.11.17.13"),
        ("default", "web-2"): ("eni-0a00000000000001a", "10.11.17.21"),
        ("default", "api-1"): ("eni-0b00000000000000b", "10.11.40.16"),
        ("default", "api-2"): ("eni-0b00000000000000b", "10.11.40.31"),
        ("2048-game", "2048-deployment-7df5f9886b-p2wq8"): ("eni-0b00000000000000b", "10.11.40.20"),
    }
    assert model.counts == {"pods": 6, "unplaced": 3, "enis": 3, "slots": 21, "idle": 15}


def test_a_delegated_28_shows_its_16_addresses_as_slots() -> None:
    # GIVEN node B, whose primary ENI holds the prefix 10.11.40.16/28 and no secondary IP
    # WHEN the model is built
    eni = node(model_of(WORKSHOP), NODE_B).enis[0]
    # THEN the prefix is one group of 16 slots, 3 of them used
    [group] = eni.groups
    assert (group.prefix, len(group.slots), group.used) == ("10.11.40.16/28", 16, 3)
    assert [slot.ip for slot in group.slots][:2] == ["10.11.40.16", "10.11.40.17"]


def test_pods_without_a_slot_are_listed_beside_their_node_or_apart() -> None:
    # GIVEN the hostNetwork aws-node pod, a finished job (node A) and a pod not yet scheduled
    model = model_of(WORKSHOP)
    # THEN the first two are listed under node A and the unscheduled one on no node
    assert sorted(pod.name for pod in node(model, NODE_A).unplaced) == [
        "aws-node-4x7kq",
        "report-28490125-abcde",
    ]
    assert [(pod.name, pod.phase) for pod in model.off_node_pods] == [("queued-7f9c", "Pending")]


def test_header_names_region_cni_version_and_ipamd_era() -> None:
    # GIVEN the workshop bundle (subnets in us-west-2, aws-node VPC_CNI_VERSION v1.23.1, ipamd era G)
    header = model_of(WORKSHOP, cluster="ekslab").header
    # THEN the header says so
    assert (header.cluster, header.region, header.cni_version, header.ipamd_formats) == (
        "ekslab",
        "ap-northeast-2",
        "v1.23.1",
        {"G": 2},
    )


def test_a_failing_pod_is_in_its_slot_and_in_the_failure_table(failing_bundle: Path) -> None:
    # GIVEN web-2 on 10.11.17.22, a secondary IP of node A's second ENI that ipamd never assigned to it
    model = model_of(failing_bundle)
    # WHEN the page is rendered
    page = render(model)
    # THEN the slot is drawn failed with its reason, and the failure table has the fix text
    assert '<li class="p f" data-ph="Running" data-v="fail" data-r="ipamd_mismatch"' in page
    assert [pod.name for pod in model.failing_pods] == ["web-2"]
    assert "ipamd&#39;s datastore does not hold this IP for this pod" in page
    assert node(model, NODE_A).open and node(model, NODE_A).problem


def test_a_hostile_pod_name_is_text_never_markup(hostile_bundle: Path) -> None:
    # GIVEN a pod whose name is an HTML/script injection, also named in another pod's failure details
    # WHEN the page is rendered
    page = render(model_of(hostile_bundle))
    # THEN the name appears only escaped, in text and in attributes: no element or script reaches the markup
    assert HOSTILE_NAME not in page
    assert "<img id=pwn" not in page and "window.__pwned=2</script>" not in page
    assert (
        f'10.11.17.11 is also the IP of default/{escape(HOSTILE_NAME)}">10.11.17.11 default/web-2</li>'
        in page
    )
    assert f"<code>default/{escape(HOSTILE_NAME)}</code>" in page
    # and the load balancer ENI's description, named by its ledger block, is an escaped attribute too
    assert (
        '<span class="k-load_balancer" title="10.11.17.192/28: load_balancer 1, free 15; '
        f'{HOSTILE_ENI} (ELB net/{escape(HOSTILE_NAME)})">LB</span>' in page
    )


def test_a_node_check_of_any_name_appears_in_the_convergence_table() -> None:
    # GIVEN a report whose nodes carry a check the report does not know (e.g. a convergence check)
    snapshot = read_bundle(WORKSHOP)
    report = verify(snapshot, Expectations(aws_node_env={}, init_env={}))
    report.nodes[0].checks.append(CheckResult("warm_pool_converged", FAIL, "3 of 5 warm IPs"))
    # WHEN the page is rendered
    page = render(build_model(snapshot, report, generated="now", tool="t"))
    # THEN the check has its row with one failure, and its detail is listed with the node
    assert (
        '<tr data-check="warm_pool_converged"><td>warm_pool_converged</td><td class="n">0</td>'
        '<td class="n">1</td>' in page
    )
    assert f"<tr><td>{NODE_A}</td><td>warm_pool_converged</td>" in page


def test_sections_without_data_say_not_available() -> None:
    # GIVEN no ledger, and a report without a replacement plan
    snapshot = read_bundle(WORKSHOP)
    report = verify(snapshot, Expectations(aws_node_env={}, init_env={}))
    report.recycle = None
    page = render(build_model(snapshot, report, generated="now", tool="t"))
    # THEN both sections say so
    assert "IP ledger: not available in this report" in page
    assert "Replacement plan: not available in this report (verify computed none)." in page


def test_the_replacement_plan_is_shown_with_its_commands() -> None:
    # GIVEN the workshop bundle against the default lab: node B holds a /28 with prefix delegation off
    page = render(model_of(WORKSHOP))
    # THEN the convergence table counts the failure and the plan names the node and its commands
    assert (
        '<tr data-check="prefix_delegation"><td>prefix_delegation</td><td class="n">1</td><td class="n">1</td>'
        in page
    )
    assert f"  kubectl drain {NODE_B} --ignore-daemonsets --delete-emptydir-data\n" in page
    assert "Replacement plan: not available" not in page


def test_a_ledger_is_drawn_as_a_grid_of_blocks_with_owner_words() -> None:
    # GIVEN a ledger of one /26 subnet: a warm-pool block, a pod prefix, a free block, an unknown kind
    ledger = [
        LedgerSubnet(
            "subnet-0a",
            "us-west-2a",
            "10.11.17.0/26",
            (
                LedgerBlock("10.11.17.0/28", "warm_pool", "warm_pool 11, aws_reserved 4"),
                LedgerBlock("10.11.17.16/28", "pod", "eni-0b <b>x</b>"),
                LedgerBlock("10.11.17.32/28", "free"),
                LedgerBlock("10.11.17.48/28", "something-new"),
            ),
            forecast="free blocks last 3 more nodes",
        )
    ]
    # WHEN the page is rendered
    page = render(model_of(WORKSHOP, ledger=ledger))
    # THEN each block has its kind in words and its owner (escaped) on hover, with the free count
    assert "subnet-0a 10.11.17.0/26 (us-west-2a): 1 of 4 /28 blocks free" in page
    assert '<span class="k-pod" title="10.11.17.16/28: eni-0b &lt;b&gt;x&lt;/b&gt;">pod</span>' in page
    assert '<span class="k-other" title="10.11.17.48/28: something-new">other</span>' in page
    assert "Forecast: free blocks last 3 more nodes" in page
    assert "IP ledger: not available" not in page


def test_a_drifted_node_is_listed_with_its_differences_and_what_to_do() -> None:
    # GIVEN the workshop bundle checked against a lab that wants custom networking (the nodes run without)
    snapshot = read_bundle(WORKSHOP)
    expectations = Expectations(aws_node_env={"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true"}, init_env={})
    page = render(build_model(snapshot, verify(snapshot, expectations), generated="now", tool="t"))
    # THEN each node's drift row names the key, wanted and running values, and the fix
    assert f"<tr><td>{NODE_A}</td><td>drift</td>" in page
    assert "<code>AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG</code>: wanted true, running false" in page
    assert "deploy the configuration (`make deploy`) or change it" in page


def test_load_balancer_targets_are_listed_beside_the_ready_pod_ips() -> None:
    # GIVEN the workshop bundle: the 2048 Service's target group holds both game pods, healthy
    page = render(model_of(WORKSHOP))
    # THEN the backend row lists the ready pod IPs and each registered target with its state in words
    assert "<td>10.11.17.13, 10.11.40.20</td>" in page
    assert '10.11.17.13:80 <span class="badge r-pass">healthy</span>, 10.11.40.20:80' in page


def test_two_pods_on_one_address_are_both_shown(hostile_bundle: Path) -> None:
    # GIVEN web-2 on the IP of the (renamed) web-1, on the same ENI of node A
    model = model_of(hostile_bundle)
    # THEN the slot holds one of them and the node lists the other, both failed for duplicate_ip
    [slot] = [s for e in node(model, NODE_A).enis for g in e.groups for s in g.slots if s.ip == "10.11.17.11"]
    extra = [pod for pod in node(model, NODE_A).unplaced if pod.ip == "10.11.17.11"]
    assert {slot.pod.name, extra[0].name} == {HOSTILE_NAME, "web-2"}
    assert "duplicate_ip" in slot.pod.reasons and "duplicate_ip" in extra[0].reasons
    assert node(model, NODE_A).failed_pods == 2
