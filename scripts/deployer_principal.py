#!/usr/bin/env python3
"""Print the IAM principal ARN of the current AWS credentials (`make deploy` grants it cluster admin).

Prints nothing and exits 0 when there are no credentials, so `make deploy` then relies on
cluster.adminPrincipalArn alone.
"""

from __future__ import annotations

import sys


def main() -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from ekslab.aws.clients import aws_session
    from ekslab.aws.identity import deployer_principal_arn

    try:
        print(deployer_principal_arn(aws_session()))
    except (BotoCoreError, ClientError) as error:
        print(
            f"deployer-principal: no AWS identity ({error}); the cluster admin is cluster.adminPrincipalArn only",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
