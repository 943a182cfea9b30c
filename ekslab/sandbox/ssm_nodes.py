"""The sandbox's nodes answer SSM Run Command for the one thing the workshop asks of them: ipamd's curl.

moto records ``aws ssm send-command`` and reports every invocation a success with empty output; it
runs nothing, as there is no node. The sandbox gives its nodes one behaviour: a command of
``AWS-RunShellScript`` whose lines are each ``curl -s http://localhost:61679/v1/<endpoint>``
(optionally piped to ``python3 -m json.tool``) prints the node's recorded ipamd body, as the node
would. Any other command fails with exit 127 and says so, rather than pretending to have run. The
answer is set on moto's model of the invocation (same process; moto has no API for it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

_CURL: Final = re.compile(
    r"^curl -s http://(?:localhost|127\.0\.0\.1):61679/v1/(?P<endpoint>[A-Za-z-]+)"
    r"(?P<tool> \| python3? -m json\.tool)?$"
)


def answer(commands: list[str], body: Callable[[str], bytes | None]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``commands`` on a node whose ipamd serves ``body(endpoint)``."""
    stdout = []
    for line in commands:
        match = _CURL.match(line.strip())
        if match is None:
            return (
                127,
                "".join(stdout),
                f"ekslab sandbox: a sandbox node only answers ipamd's curls, not: {line}\n",
            )
        served = body(match["endpoint"])
        if served is None:
            return (
                7,
                "".join(stdout),
                "curl: (7) Failed to connect to localhost port 61679: Connection refused\n",
            )
        text = served.decode("utf-8", errors="replace")
        if match["tool"]:
            try:
                text = json.dumps(json.loads(text), indent=4) + "\n"
            except ValueError:
                return 1, "".join(stdout), "Expecting value: line 1 column 1 (char 0)\n"
        stdout.append(text)
    return 0, "".join(stdout), ""


_answering: list[tuple[Callable[[str], str | None], Callable[[str, str], bytes | None]]] = []
"""The nodes of the sandbox running in this process (the latest one answers)."""


def install(node_of: Callable[[str], str | None], body: Callable[[str, str], bytes | None]) -> None:
    """Make moto's SSM invocations answer as the sandbox's nodes (``node_of(instance_id)``)."""
    from moto.ssm.models import Command

    _answering[:] = [(node_of, body)]
    if getattr(Command, "_ekslab_sandbox", False):
        return
    original = Command.invocation_response

    def invocation_response(self: Any, instance_id: str, plugin_name: str) -> dict[str, Any]:
        invocation: dict[str, Any] = original(self, instance_id, plugin_name)
        node_of, body = _answering[0]
        node = node_of(instance_id)
        if self.document_name != "AWS-RunShellScript" or node is None:
            return invocation
        code, stdout, stderr = answer(
            list(self.parameters.get("commands", [])), lambda endpoint: body(node, endpoint)
        )
        status = "Success" if code == 0 else "Failed"
        invocation.update(
            ResponseCode=code,
            Status=status,
            StatusDetails=status,
            StandardOutputContent=stdout,
            StandardErrorContent=stderr,
        )
        return invocation

    Command.invocation_response = invocation_response  # type: ignore[method-assign]
    Command._ekslab_sandbox = True  # type: ignore[attr-defined]
