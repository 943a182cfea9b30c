"""``ekslab preflight``: read-only checks of an account and region before the first ``make deploy``.

``reader`` makes the Describe/List/Get calls and returns ``answers.Answers``; ``checks`` judges them
(pure functions, one per check name); ``quotas`` computes what N labs of a configuration need;
``report`` writes JSON and JUnit. The CLI (``ekslab.cli.preflight_cmd``) renders the table.
"""
