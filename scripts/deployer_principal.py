#!/usr/bin/env python3
"""Print the IAM principal ARN of the current AWS credentials (`make deploy` grants it cluster admin).

deployer_principal.py            the ARN, or nothing (exit 0) when it cannot be read, so that
                                 `make deploy` then relies on cluster.adminPrincipalArn alone
deployer_principal.py --require  as above, but a wrong AWS_PROFILE, no or half credentials, an
                                 expired SSO login (ekslab.aws.problems) is one line and exit 2:
                                 what `make deploy|diff|destroy|bootstrap` run first, so a missing
                                 login is said plainly instead of after a synth, in the CDK CLI's words
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--require", action="store_true", help="exit 2 with one line when no credentials exist"
    )
    args = parser.parse_args(argv)

    from botocore.exceptions import BotoCoreError, ClientError

    from ekslab.aws.identity import deployer_principal_arn
    from ekslab.aws.problems import checked_session
    from ekslab.errors import InputError

    try:
        session = checked_session()
    except InputError as error:
        if not args.require:
            print(
                f"deployer-principal: no AWS identity ({error.message}); the cluster admin is "
                "cluster.adminPrincipalArn only",
                file=sys.stderr,
            )
            return 0
        print(
            f"ekslab: error: {error.message}; make deploy, diff, destroy and bootstrap work on a real account",
            file=sys.stderr,
        )
        return 2
    try:
        print(deployer_principal_arn(session))
    except (BotoCoreError, ClientError) as error:
        print(
            f"deployer-principal: no AWS identity ({error}); the cluster admin is cluster.adminPrincipalArn only",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
