"""What a command builds from a bundle is made without the cyclic collector and frozen after it."""

from __future__ import annotations

import gc

from ekslab.cli.inputs import long_lived


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    # GIVEN the collector on  WHEN a block runs under long_lived
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with long_lived():
            inside = gc.isenabled()
            kept = [[index] for index in range(1000)]
        # THEN it was off inside, is on again, and what was made inside is frozen (not walked again)
        assert (inside, gc.isenabled()) == (False, True)
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with long_lived():
            pass
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
