# Đúng hạn — `make` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SERVICES := intake deadline scoring notify
# AMQP_URL / DATABASE_URL are passed on only when given (.ci/run exports them): where they are unset, the test
# fixtures start RabbitMQ and PostgreSQL with testcontainers (Docker), and `make dev` uses the local servers.
COMPOSE ?= docker compose

.DEFAULT_GOAL := help
.PHONY: help install lock lint typecheck test test-unit test-integration test-e2e rules definitions dashboards k8s \
        asyncapi integration-tools browser dev up down env doctor demo bench bench-quick chaos clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock requirements.in libs/dunghan/pyproject.toml $(foreach s,$(SERVICES),services/$(s)/pyproject.toml)
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c requirements.lock -r requirements.in
	$(PIP) install -q -c requirements.lock -e libs/dunghan $(foreach s,$(SERVICES),-e services/$(s))
	touch $@

# The AsyncAPI project's parser (pinned in tools/asyncapi/package-lock.json) validates docs/integration/asyncapi.yaml
# in `make test`; without npm the test says so and is skipped.
tools/asyncapi/node_modules/.package-lock.json: tools/asyncapi/package-lock.json
	@if command -v npm >/dev/null; then cd tools/asyncapi && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the AsyncAPI document will not be validated"; fi

install: $(VENV)/.installed tools/asyncapi/node_modules/.package-lock.json ## create .venv with every service, the library and the dev tools (pinned), and the AsyncAPI parser (npm ci)

integration-tools: ## system packages of the integration examples: the RabbitMQ Java client (Debian's librabbitmq-client-java)
	@if command -v javac >/dev/null && [ ! -f /usr/share/java/amqp-client.jar ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librabbitmq-client-java >/dev/null; fi

browser: ## Debian's chromium for the browser tests of the staff pages (Playwright drives the system browser)
	@if ! command -v chromium >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

lock: ## re-resolve requirements.in into requirements.lock
	$(PIP) install -q -r requirements.in && $(PIP) freeze --exclude-editable | grep -v '^-e' > requirements.lock

lint: install ## ruff
	$(VENV)/bin/ruff check libs services tests tools

typecheck: install ## mypy over the library and the services
	$(VENV)/bin/mypy libs/dunghan/src $(foreach s,$(SERVICES),services/$(s)/src)

rules: ## promtool check + unit tests of the Prometheus rules
	promtool check rules deploy/prometheus/rules/*.yml
	promtool test rules deploy/prometheus/tests/*.yml

test: install lint typecheck rules ## everything CI runs: lint, types, rules, unit + integration + e2e tests
	$(VENV)/bin/pytest -q -m "not chaos"

test-unit: install ## unit tests only (no network)
	$(VENV)/bin/pytest -q $(foreach s,$(SERVICES),services/$(s)/tests/unit) libs/dunghan/tests/unit

test-integration: install ## integration tests against AMQP_URL / DATABASE_URL
	$(VENV)/bin/pytest -q -m integration

test-e2e: install ## end-to-end: the four services as processes
	$(VENV)/bin/pytest -q tests/e2e

definitions: install ## regenerate deploy/rabbitmq/definitions.json from the topology in code
	$(PY) -m dunghan.bus.definitions > deploy/rabbitmq/definitions.json

asyncapi: install ## regenerate docs/integration/asyncapi.yaml from the topology, the contract events and intake's facts
	$(PY) -m intake.contract_doc > docs/integration/asyncapi.yaml

k8s: install ## regenerate deploy/k8s/base and components from the topology, rules and dashboards (deploy/k8s/generate.py)
	$(PY) deploy/k8s/generate.py

dashboards: install ## regenerate the Grafana dashboards from deploy/grafana/generate.py
	$(PY) deploy/grafana/generate.py

dev: install ## run every service's web and worker against local RabbitMQ/PostgreSQL (Ctrl-C stops all)
	$(PY) tools/dev.py

env: ## write .env with new local secrets on the first run (an existing .env is kept; missing keys are added)
	@bash deploy/docker/env.sh .env.example .env

doctor: ## what this machine lacks for `make up`, `make test` and `make dev`, and how to install it
	@bash tools/doctor.sh

up: env ## build and start the whole system with Docker Compose, seed it, print the operator key and the URLs
	@$(COMPOSE) version >/dev/null 2>&1 || { echo "make up needs Docker Compose v2 ('docker compose'): make doctor"; exit 1; }
	$(COMPOSE) up --build --detach
	@$(COMPOSE) logs --follow --no-log-prefix seed
	@code="$$(docker wait "$$($(COMPOSE) ps --all --quiet seed)")"; test "$$code" = 0 || \
	  { echo "the seed failed (exit $$code): $(COMPOSE) logs seed"; exit 1; }
	@v() { x="$$(sed -n "s/^$$1=//p" .env | tail -n 1)"; echo "$${x:-$$2}"; }; h="$$(v DUNGHAN_BIND_ADDRESS 127.0.0.1)"; \
	  echo "Grafana http://$$h:$$(v DUNGHAN_GRAFANA_PORT 18000) (admin, GRAFANA_ADMIN_PASSWORD in .env)   Mailpit http://$$h:$$(v DUNGHAN_MAILPIT_PORT 18025)"; \
	  echo "APIs: intake http://$$h:$$(v DUNGHAN_INTAKE_PORT 18001)  deadline :$$(v DUNGHAN_DEADLINE_PORT 18002)  scoring :$$(v DUNGHAN_SCORING_PORT 18003)  notify :$$(v DUNGHAN_NOTIFY_PORT 18004)"; \
	  echo "AMQP for departmental systems: $$h:$$(v DUNGHAN_AMQP_PORT 18672) (user dept.sct).   Next: make demo"

down: ## stop the Compose stack (data volumes are kept; `docker compose down -v` deletes them)
	$(COMPOSE) down

demo: install ## publish a realistic 2017 year through the inbound contract (against `make up` or `make dev`)
	$(PY) deploy/docker/demo_env.py $(PY) tools/demo.py --close-phases

bench: install ## benchmarks: ratios against baselines measured in the same run (JSON lines; idle machine)
	$(PY) tools/bench.py

bench-quick: install ## the same benchmarks at a tenth of the size (< 3 minutes)
	$(PY) tools/bench.py --quick

chaos: install ## fault injection under load: kills, broker and database restarts
	$(VENV)/bin/pytest -q -m chaos tests/chaos -s

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
