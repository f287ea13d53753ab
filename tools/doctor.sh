#!/usr/bin/env bash
# `make doctor`: what this machine has and lacks for each command, and how to install what is missing (Debian).
set -uo pipefail
missing=0
ok() { printf '  ok       %-22s %s\n' "$1" "$2"; }
no() { printf '  MISSING  %-22s %s\n' "$1" "$2"; missing=1; }
opt() { printf '  optional %-22s %s\n' "$1" "$2"; }
have() { command -v "$1" >/dev/null 2>&1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "make up (Docker Compose):"
if have docker; then ok docker "$(docker --version 2>/dev/null)"; else no docker "https://docs.docker.com/engine/install/debian/"; fi
if docker compose version >/dev/null 2>&1; then ok "docker compose" "$(docker compose version --short 2>/dev/null)"
else no "docker compose v2" "apt-get install docker-compose-plugin (Docker's apt repository)"; fi
if have docker && ! docker info >/dev/null 2>&1; then no "Docker engine" "not reachable: systemctl start docker, or add yourself to the docker group"; fi
[[ -f .env ]] && ok .env "kept as it is (make env adds missing keys)" || opt .env "written by make up / make env on the first run"

echo "make install / make test / make dev:"
if have python3 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then ok python3 "$(python3 --version)"
else no "python3 >= 3.11" "apt-get install python3 python3-venv"; fi
python3 -c 'import venv, ensurepip' 2>/dev/null && ok venv "python3 -m venv" || no venv "apt-get install python3-venv"
if have promtool; then ok promtool "$(promtool --version 2>&1 | head -n 1)"; else no promtool "apt-get install prometheus (make rules, part of make test)"; fi
if [[ -n "${AMQP_URL:-}" ]]; then ok AMQP_URL "$AMQP_URL"
elif port_open 5672; then opt AMQP_URL "unset; a broker listens on 127.0.0.1:5672: export AMQP_URL=amqp://guest:guest@127.0.0.1:5672/%2F"
elif docker info >/dev/null 2>&1; then ok AMQP_URL "unset: the tests start RabbitMQ with testcontainers"
else no "RabbitMQ" "apt-get install rabbitmq-server, then export AMQP_URL=amqp://guest:guest@127.0.0.1:5672/%2F"; fi
if [[ -n "${DATABASE_URL:-}" ]]; then ok DATABASE_URL "${DATABASE_URL%%@*}@…"
elif port_open 5432; then opt DATABASE_URL "unset; PostgreSQL listens on 127.0.0.1:5432: export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
elif docker info >/dev/null 2>&1; then ok DATABASE_URL "unset: the tests start PostgreSQL with testcontainers"
else no "PostgreSQL" "apt-get install postgresql, then export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres"; fi

echo "used by some tests when present (they skip otherwise, saying why):"
have rabbitmqctl && ok rabbitmqctl "compose wiring test, broker permission tests" \
  || opt rabbitmqctl "apt-get install rabbitmq-server (the compose wiring and permission tests skip without it)"
have psql && ok psql "PostgreSQL init script test, compose wiring test" \
  || opt psql "apt-get install postgresql-client (the init script and compose wiring tests skip without it)"
if have kubectl && kubectl version --client 2>/dev/null | grep -Eq 'Kustomize Version: v([4-9]|[1-9][0-9])'; then
  ok kubectl "kubectl kustomize renders the overlays"
else
  opt kubectl "kubectl 1.21+ (kustomize v4+) from the Kubernetes apt repository; Debian's kubernetes-client 1.20 is too old (the built-in renderer is used instead)"
fi

if ((missing)); then echo "Some required tools are missing (above)."; exit 1; fi
echo "Nothing required is missing."
