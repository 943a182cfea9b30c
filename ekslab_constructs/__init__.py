"""CDK constructs of the lab, one concern each; stacks only compose them.

Named ``ekslab_constructs`` rather than ``constructs``: a top-level ``constructs`` package would
shadow the ``constructs`` library that aws-cdk-lib imports (aws/aws-cdk#19301, see
docs/architecture.md).
"""
