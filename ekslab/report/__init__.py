"""The HTML report of ``ekslab report`` and ``ekslab verify --html-file``.

``model`` turns a snapshot's records and verify's verdicts into the map (AZ -> subnet -> node ->
ENI -> slots -> pods) and the verification tables; ``html`` renders them with the Jinja2 templates
in ``templates/`` into one self-contained file; ``ledger`` is the interface of the IP-ledger
section. It may import errors, files, network, ipamd, sources and verify; never click or rich.
"""
