"""Running the ``ekslab`` command line inside the test process, as the CLI tests do."""

from __future__ import annotations

import pytest

from ekslab.cli.main import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``ekslab ARGS`` in this process: its exit code, standard output and standard error."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err
