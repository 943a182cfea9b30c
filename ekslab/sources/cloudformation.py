"""A deployed CloudFormation stack's outputs (the lab's network stack exports AZ1..AZ3)."""

from __future__ import annotations

from ekslab.errors import InputError


def read_stack_outputs(stack: str, *, region: str, profile: str | None = None) -> dict[str, str]:
    """The outputs of a deployed CloudFormation stack, by output key (boto3, adaptive retries)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ekslab.aws.clients import aws_client, aws_session
    from ekslab.aws.problems import setup_problem

    where = f"CloudFormation stack {stack} ({region})"
    try:
        client = aws_client(
            "cloudformation", region=region, session=aws_session(region=region, profile=profile)
        )
        answer = client.describe_stacks(StackName=stack)
    except ClientError as error:
        details = error.response.get("Error") or {}
        message = " ".join(str(details.get("Message", "")).split())
        if details.get("Code") == "ValidationError" and "does not exist" in message:
            raise InputError(
                where, "does not exist", hint="deploy the lab first, check --lab/--region, or use --offline"
            ) from None
        raise InputError(where, f"cannot be read: {details.get('Code', 'error')}: {message}") from None
    except BotoCoreError as error:
        problem = setup_problem(error)
        if problem is not None:
            hint = "; ".join(filter(None, (problem.hint, "`ekslab azs --offline` needs none")))
            raise InputError(problem.where, problem.rule, problem.given, hint=hint) from None
        raise InputError(where, f"cannot be read ({' '.join(str(error).split())})") from None
    stacks = answer.get("Stacks") or []
    if not stacks:
        raise InputError(where, "does not exist", hint="deploy the lab first, or use --offline")
    return {
        output["OutputKey"]: output.get("OutputValue", "")
        for output in stacks[0].get("Outputs") or []
        if "OutputKey" in output
    }
