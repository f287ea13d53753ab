"""One-shot seed of the Compose stack (the `seed` service, intake's image): intake's database migrated, the sample
catalogue and organisation loaded, the departmental system registered, and the operator key checked and printed.

Environment: intake's own (DATABASE_URL, API_KEYS, ...), SEED_AGENCY (SCT), DEPARTMENT_AMQP_URL (the departmental
system's broker URL: its user becomes the registered sender, and it must log in) and DUNGHAN_OPERATOR_KEY (the key
whose hash API_KEYS carries). Idempotent: a second run changes nothing and registers no second system.
"""
from __future__ import annotations

import hashlib
import os
import sys
from importlib import resources
from urllib.parse import unquote, urlparse

AGENCY_DATA = {"SCT": ("procedures_sct.yaml", "org_sct.yaml")}


def fail(message: str) -> int:
    print(f"seed: {message}", file=sys.stderr)
    return 1


def broker_login(url: str) -> str | None:
    """None if the user logs in to the broker, else why not."""
    import pika

    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def operator_key_accepted(key: str, api_keys: str) -> bool:
    from dunghan.web.auth import StaticKeyStore

    principal = StaticKeyStore.from_spec(api_keys).lookup(hashlib.sha256(key.encode()).hexdigest())
    return principal is not None and principal.is_operator


def main() -> int:
    from dunghan.db import make_engine
    from intake import manage
    from intake.config import Settings
    from intake.repository import SqlRepository

    env = os.environ
    agency = env.get("SEED_AGENCY", "SCT")
    key, department_url = env.get("DUNGHAN_OPERATOR_KEY", ""), env.get("DEPARTMENT_AMQP_URL", "")
    if not key or not operator_key_accepted(key, env.get("API_KEYS", "")):
        return fail("DUNGHAN_OPERATOR_KEY is unset or its sha256 is not an operator entry of API_KEYS "
                    "(run `make env`, which derives DUNGHAN_OPERATOR_KEY_SHA256)")
    if not department_url:
        return fail("DEPARTMENT_AMQP_URL is not set")
    department = unquote(urlparse(department_url).username or "")
    why = broker_login(department_url)
    if why:
        return fail(f"the departmental system's user {department!r} cannot log in to the broker: {why}")
    settings = Settings.from_env()
    data = resources.files("intake") / "data"
    procedures, org = AGENCY_DATA[agency]
    for argv in (["migrate"], ["load-org", str(data / org)], ["load-catalogue", str(data / procedures)]):
        if manage.main(argv, settings) != 0:
            return fail(f"intake.manage {argv[0]} failed")
    repo = SqlRepository(make_engine(settings.database_url, pool_size=1, max_overflow=0))
    with repo.transaction() as tx:
        registered = tx.source_by_amqp_user(department) is not None
    if not registered:
        print(f"registering the broker user {department!r} as the departmental system of {agency}; its HTTP key:")
        if manage.main(["create-key", "--name", f"{department}-{agency.lower()}", "--agency", agency,
                        "--role", "system", "--amqp-user", department], settings) != 0:
            return fail("registering the departmental system failed")
    else:
        print(f"the broker user {department!r} is already registered as a departmental system")
    print(f"operator API key (all four APIs): {key}")
    port = env.get("DUNGHAN_SCORING_PORT", "18003")
    print(f"  curl -H 'Authorization: Bearer {key}' http://localhost:{port}/api/v1/campaigns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
