"""The workshop's views: pure renderings of the shared models as lines, rows and JSON.

* ``azs``: ``export AZ1=...`` lines from the network stack's outputs or the lab configuration, and
  the idempotent, atomically written shell-profile block (``ekslab azs``).
* ``pod_view``: per pod its node, IP, ENI, device, subnet and IP source, from verification's snapshot
  and verdicts (``ekslab pods``).
* ``ipamd_view``: one node's introspection, normalised by ``ekslab.ipamd``, as tables and JSON
  (``ekslab ipamd``).

Reading lives in ``ekslab.sources``, parsing in ``ekslab.ipamd``, judging in ``ekslab.verify``;
nothing here reads an API or parses a body. The commands print rows and documents with
``ekslab.cli.output``.
"""
