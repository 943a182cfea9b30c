"""ekslab: stand up an Amazon EKS lab with the VPC CNI, then prove every pod IP is a VPC IP.

The package is the toolkit's pure-Python core (configuration model, CNI settings, ENI limits and
capacity math, ipamd parsing, verification) plus its CLI. Nothing under ``ekslab`` imports
``aws_cdk``: the CDK layer (``ekslab_constructs``, ``stacks``) imports the core, never the reverse.
"""

__version__ = "0.1.0"
