"""Data access for verification: files and bodies (``jsondoc``), Kubernetes (``kube``), EC2 and
ELBv2 (``ec2``), ipamd on each node (``introspection``), and the records the checks read (``records``).

Modules that talk to AWS or Kubernetes import boto3 / kubernetes themselves; importing this package
imports neither.
"""
