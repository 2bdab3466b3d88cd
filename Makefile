# Khadamat backend. Two set-up commands: `make run` and `make test` (both install what is missing).
SHELL := /bin/bash
# The Lambda runtime is python3.12; .python-version makes pyenv's python3 be 3.12 here.
PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c '' 2>/dev/null && echo python3.12 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TOOLS := .venv-tools
SAM := $(TOOLS)/bin/sam
# Python may cache bytecode here (pytest's rewritten test modules too): with PYTHONDONTWRITEBYTECODE
# set (it is on these machines), every process of a test run — each xdist worker, each local
# stack, each schemathesis run, each subprocess test — compiled the whole code base again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install run test unit integration e2e infra-test lint build-check invoke events aws bench bench-imports openapi fuzz clean chromium deploy client-check whatsapp-templates

$(STAMP): requirements-dev.txt layers/shared/requirements.txt layers/shared/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "python 3.12 (the Lambda runtime) is required: install it or set PYTHON=")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -e layers/shared
	touch $(STAMP)

$(SAM):
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check -r requirements-tools.txt

venv: $(STAMP)

run: $(STAMP)                   ## the API on http://127.0.0.1:$${PORT:-3000} over an embedded AWS
	$(PY) -m infra.local.run

# The two virtualenvs and Chromium install side by side (pip mostly waits on downloads and disk).
install:
	@$(MAKE) --no-print-directory -j3 --output-sync=target $(STAMP) $(SAM) chromium

test: install                   ## every test: unit, integration (moto in-process), infra, e2e over HTTP, console in Chromium
	$(PY) -m pytest -q -n $${PYTEST_WORKERS:-auto} --dist worksteal  # one worker per core, each e2e worker its own local stack; an idle worker takes tests queued on the busy one (the long e2e tests do not leave it alone at the end)

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

integration: $(STAMP)
	$(PY) -m pytest -q tests/integration

infra-test: $(STAMP) $(SAM)      # tests/infra/test_operations_template.py runs the SAM translator of .venv-tools
	$(PY) -m pytest -q tests/infra

e2e: $(STAMP) chromium
	$(PY) -m pytest -q tests/e2e

# The console's browser tests drive Debian's Chromium (Playwright cannot download browsers
# here). Installed when missing and possible (root + apt); else tests/e2e/test_console.py
# skips loudly ("NO BROWSER").
chromium:
	@command -v chromium >/dev/null 2>&1 || test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      (apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)); \
	    else echo "WARNING: chromium is missing and cannot be installed here: the console's browser tests will be skipped" >&2; fi; }

# Deploy a stage: the stack, then the console's static files (SAM uploads none) and a cache
# invalidation. STAGE=dev|prod (samconfig.toml).
deploy: $(STAMP) $(SAM)          ## make deploy STAGE=dev: sam build + sam deploy + console sync + invalidation
	@test -n "$(STAGE)" || { echo "usage: make deploy STAGE=dev|prod" >&2; exit 2; }
	$(SAM) build
	$(SAM) deploy --config-env $(STAGE)
	$(PY) -m infra.deploy.publish_console --stack khadamat-$(STAGE) --region eu-west-3

lint: $(STAMP) $(SAM)           ## the template, offline: cfn-lint and plain `sam validate`
	$(VENV)/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=eu-west-3 $(SAM) validate --template template.yaml --region eu-west-3

build-check: $(STAMP) $(SAM)    ## CI: `sam build` (arm64: wheel tags checked; host arch: every function imported with only the built layer)
	$(PY) -m infra.build_check

openapi: $(STAMP)               ## write docs/openapi.json from template.yaml and the functions' models
	$(PY) -m infra.openapi

# What the apps' developers do: TypeScript types generated from docs/openapi.json
# (openapi-typescript), a typed usage (clients/typescript/src/usage.ts) checked by tsc.
# Versions pinned by clients/typescript/package-lock.json; node 20+ and npm required.
CLIENT := clients/typescript
$(CLIENT)/node_modules/.installed: $(CLIENT)/package.json $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund
	touch $@

client-check: $(CLIENT)/node_modules/.installed  ## generate the TypeScript client types from docs/openapi.json and type-check a typed usage
	cd $(CLIENT) && npm run -s check

fuzz: $(STAMP)                  ## schemathesis over every operation of the local stack (also in `make test`)
	$(PY) -m pytest -q tests/e2e/test_fuzz.py

bench: $(STAMP)                 ## measure cold starts, DynamoDB round trips, latency, scale: docs/benchmarks.md
	$(PY) -m infra.bench

bench-imports: $(STAMP)         ## CI: every handler imports as in AWS (layer packages only); cold starts printed
	$(PY) -m infra.bench.cold_start --runs $${BENCH_IMPORT_RUNS:-1}

invoke: $(STAMP)                ## make invoke FN=HealthFunction [EVENT=events/HealthFunction.json]
	@test -n "$(FN)" || (echo "usage: make invoke FN=<LogicalId> [EVENT=events/<file>.json]"; exit 2)
	$(PY) -m infra.local.invoke $(FN) $(EVENT)

events: $(STAMP)                ## write missing events/<LogicalId>.json sample events
	$(PY) -m infra.local.make_events

whatsapp-templates: $(STAMP)    ## make whatsapp-templates STAGE=dev: create/submit missing WhatsApp templates, SIDs to SSM, print approval status
	STAGE=$${STAGE:-local} $(PY) -m infra.whatsapp_templates

aws: $(STAMP)                   ## the embedded AWS alone (moto server, serialised) on $${MOTO_PORT:-5000}
	$(PY) -m infra.local.aws --port $${MOTO_PORT:-5000}

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .aws-sam
