#!/usr/bin/env python3
"""CDK app of the ekslab lab: `make synth` (cdk synth) runs this file.

Context: ``-c config=lab.yaml`` picks a configuration file (default: the seed workshop's lab),
``-c lab=NAME`` overrides ``lab.name`` (one lab per attendee or CI run). cdk-nag's AwsSolutions
checks run on every synth; a bad configuration is one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from ekslab.errors import EXIT_USAGE, InputError
from stacks.app_config import config_from_context, print_warnings
from stacks.lab import build_lab


def main() -> None:
    app = App()
    try:
        config = config_from_context(app)
    except InputError as error:
        print(f"ekslab: error: {error.message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    print_warnings(config)
    build_lab(app, config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()


if __name__ == "__main__":
    main()
