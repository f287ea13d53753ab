"""No production module imports a test fake: every module of the library and the four services is imported in a
fresh interpreter (no test folder on ``sys.path``), and nothing loaded may come from a ``tests/`` folder or be
named like a fake. One clock and one time zone: only ``dunghan.clock`` defines them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PACKAGES = ("dunghan", "intake", "deadline", "scoring", "notify")
ROOT = Path(__file__).resolve().parents[2]
CLOCK = ROOT / "libs/dunghan/src/dunghan/clock.py"

_SCRIPT = """
import importlib, json, pkgutil, sys
skipped = (".migrations", ".wsgi")  # Alembic env scripts and gunicorn entry points run on import
names = []
for top in %r:
    pkg = importlib.import_module(top)
    names.append(top)
    for info in pkgutil.walk_packages(pkg.__path__, top + "."):
        if not any(part in info.name for part in skipped):
            names.append(info.name)
for name in names:
    importlib.import_module(name)
loaded = {n: getattr(m, "__file__", None) for n, m in list(sys.modules.items())}
print(json.dumps({"imported": names, "loaded": loaded}))
"""


def test_no_production_module_imports_a_fake() -> None:
    out = subprocess.run([sys.executable, "-c", _SCRIPT % (PACKAGES,)], capture_output=True, text=True,
                         check=True, timeout=120)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(report["imported"]) > 50, report["imported"]  # the walk found the services' modules
    leaf = {name: name.rsplit(".", 1)[-1] for name in report["loaded"]}
    fakes = sorted(n for n, last in leaf.items()
                   if "fake" in last or (last == "memory" and n.split(".")[0] in PACKAGES))
    assert fakes == [], fakes
    from_tests = sorted(n for n, path in report["loaded"].items()
                        if path and "/tests/" in path and "site-packages" not in path)
    assert from_tests == [], from_tests


def _python_files() -> list[Path]:
    roots = [ROOT / "libs", ROOT / "services", ROOT / "tools", ROOT / "tests"]
    return [p for r in roots for p in r.rglob("*.py") if "node_modules" not in p.parts and ".venv" not in p.parts]


def test_one_clock_and_one_time_zone_constant() -> None:
    zone, clock = "Asia/" + "Ho_Chi_Minh", "def " + "utc_now("
    files = _python_files()
    assert CLOCK in files
    naming_the_zone = [str(p.relative_to(ROOT)) for p in files if p != CLOCK and zone in p.read_text()]
    own_clocks = [str(p.relative_to(ROOT)) for p in files if p != CLOCK and clock in p.read_text()]
    assert naming_the_zone == [] and own_clocks == [], (naming_the_zone, own_clocks)


# The use cases and the rules of each service: importing one loads no SQL or AMQP library (nor Flask), because
# they reach storage and the broker only through the ports they are handed.
USE_CASES = ("intake.handlers", "intake.facts", "intake.domain", "intake.ports",
             "deadline.handlers", "deadline.domain", "deadline.ports",
             "scoring.event_handlers", "scoring.commands", "scoring.readers", "scoring.ports",
             "notify.handlers", "notify.domain", "notify.ports", "notify.digest",
             "dunghan.uow", "dunghan.deadline", "dunghan.calendar", "dunghan.contract.events")
IO_LIBRARIES = ("sqlalchemy", "pika", "psycopg", "flask")


def test_a_use_case_module_loads_neither_sqlalchemy_nor_pika() -> None:
    loaded: dict[str, list[str]] = {}
    for name in USE_CASES:  # each in a fresh interpreter: what one module loads is not hidden by another's
        script = ("import importlib, json, sys\n"
                  "before = set(sys.modules)\n"
                  f"importlib.import_module({name!r})\n"
                  "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before}"
                  f" & set({IO_LIBRARIES!r}))))")
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             timeout=120)
        loaded[name] = json.loads(out.stdout.strip().splitlines()[-1])
    assert {name: libs for name, libs in loaded.items() if libs} == {}
