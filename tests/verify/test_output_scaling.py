"""Issue 21 item 7: report output grows linearly with the cluster.

Tests count work, never time it (benchmarks/verify/output_scaling.py times it): the JUnit writer
counts each suite once, not once per test case added; a duplicate_ip detail names a bounded number
of other pods, whatever the number sharing the IP.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ekslab.verify.pods import MAX_DUPLICATES_NAMED
from ekslab.verify.report import write_junit
from ekslab.verify.results import PASS, PodResult, Report
from tests.verify.cluster_docs import NODE_A, baseline, pod, result, run


def test_junit_suite_recounts_do_not_grow_with_the_test_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a count of every suite recount junitparser makes
    from junitparser import TestSuite

    recounts = []
    real = TestSuite.update_statistics

    def counted(self: TestSuite) -> None:
        recounts.append(1)
        real(self)

    monkeypatch.setattr(TestSuite, "update_statistics", counted)

    def recounts_for(count: int) -> int:
        recounts.clear()
        pods = [
            PodResult("default", f"web-{i}", "n1", f"10.0.{i // 250}.{i % 250}", PASS) for i in range(count)
        ]
        write_junit(Report("bundle x", pods, []), tmp_path / "r.xml")
        assert (tmp_path / "r.xml").read_text().count("<testcase") == count
        return len(recounts)

    # WHEN 30 and then 300 pods are written as JUnit
    # THEN the suites are recounted as often for both (adding each case recounted its suite: 300 x 300)
    assert recounts_for(300) == recounts_for(30) <= 6


def test_many_pods_on_one_ip_name_a_bounded_number_of_others(tmp_path: Path) -> None:
    # GIVEN 40 running pods sharing the IP of web-1 (each named in every other's detail before: 40 x 40)
    docs = baseline()
    docs.pods.extend(pod(f"copy-{index:02d}", node=NODE_A, ip="10.0.1.11") for index in range(40))
    report = run(docs, tmp_path)
    # WHEN verified THEN each detail names MAX_DUPLICATES_NAMED others and counts the rest
    details = [detail for detail in result(report, "copy-20").details if "is also the IP of" in detail]
    assert details == [
        "10.0.1.11 is also the IP of default/web-1, default/copy-00, default/copy-01, default/copy-02, "
        f"default/copy-03 (and {40 - MAX_DUPLICATES_NAMED:,} more)"
    ]


def test_the_first_holder_of_a_shared_ip_names_the_next_ones(tmp_path: Path) -> None:
    docs = baseline()
    docs.pods.extend(pod(f"copy-{index:02d}", node=NODE_A, ip="10.0.1.11") for index in range(7))
    details = [detail for detail in result(run(docs, tmp_path), "web-1").details if "is also" in detail]
    assert details == [
        "10.0.1.11 is also the IP of default/copy-00, default/copy-01, default/copy-02, default/copy-03, "
        "default/copy-04 (and 2 more)"
    ]
