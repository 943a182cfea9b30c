"""Machine-checkable exercise guides: Markdown pages whose shell blocks are run in order and checked.

    from ekslab.workshop import read_guide, run_guide, RunOptions, write_junit
    guide = read_guide("docs/workshop.md")          # steps, expected output shapes, options
    results = run_guide(guide, RunOptions())        # environment carried from step to step
    write_junit(guide, results, "workshop.xml")

``guide`` parses the page, ``shape`` matches output against the expected shapes, ``runner`` runs the
steps in bash, ``junit`` writes the report. docs/workshop.md is the guide of the lab.
"""

from ekslab.workshop.guide import Guide, Step, parse_guide, read_guide
from ekslab.workshop.junit import write_junit
from ekslab.workshop.runner import ERROR, FAILED, PASSED, SKIPPED, RunOptions, StepResult, run_guide
from ekslab.workshop.shape import PLACEHOLDERS, OutputShape, compile_shape

__all__ = [
    "ERROR",
    "FAILED",
    "PASSED",
    "PLACEHOLDERS",
    "SKIPPED",
    "Guide",
    "OutputShape",
    "RunOptions",
    "Step",
    "StepResult",
    "compile_shape",
    "parse_guide",
    "read_guide",
    "run_guide",
    "write_junit",
]
