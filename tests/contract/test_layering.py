"""No production module imports a test fake: every module of the library and the four services is imported in a
fresh interpreter (no test folder on ``sys.path``), and nothing loaded may come from a ``tests/`` folder or be
named like a fake."""
from __future__ import annotations

import json
import subprocess
import sys

PACKAGES = ("dunghan", "intake", "deadline", "scoring", "notify")

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
