"""The whole-lab check is a pure function of the configuration: synth asks it from the app and from
the cluster stack, and the capacity plan behind it is computed once."""

from __future__ import annotations

import pytest

from ekslab.config.model import LabConfig
from ekslab.lab import check, check_lab, require_valid


@pytest.fixture
def capacity_calls(monkeypatch: pytest.MonkeyPatch) -> list[LabConfig]:
    calls: list[LabConfig] = []
    real = check.check_capacity

    def counting(config: LabConfig, findings: check.Findings) -> None:
        calls.append(config)
        real(config, findings)

    monkeypatch.setattr(check, "check_capacity", counting)
    monkeypatch.setattr(check, "_checked", {})
    return calls


def test_equal_configurations_are_checked_once(capacity_calls: list[LabConfig]) -> None:
    # GIVEN two equal configurations (different objects), as the app and the cluster stack hold them
    first, second = LabConfig(), LabConfig()
    # WHEN both are checked, once for warnings and once before building
    warnings = check_lab(first).warnings
    require_valid(second)
    # THEN the capacity guard ran once and the second answer is the first one's
    assert len(capacity_calls) == 1
    assert [w.message for w in check_lab(second).warnings] == [w.message for w in warnings]


def test_a_changed_configuration_is_checked_again(capacity_calls: list[LabConfig]) -> None:
    # GIVEN a lab, then the same lab with another name (make synth LAB=alice)
    check_lab(LabConfig())
    renamed = LabConfig.model_validate({"lab": {"name": "alice"}})
    # WHEN the renamed lab is checked  THEN its own check runs
    check_lab(renamed)
    assert len(capacity_calls) == 2


def test_callers_cannot_change_what_later_callers_see(capacity_calls: list[LabConfig]) -> None:
    # GIVEN the findings of one check, changed by their caller
    config = LabConfig()
    check_lab(config).warnings.clear()
    # WHEN the same lab is checked again  THEN its warnings are all there
    assert check_lab(config).warnings
