"""The four services are put together the same way: one ``bootstrap`` that web, worker and commands call."""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

SERVICES = ("intake", "deadline", "scoring", "notify")


@pytest.mark.parametrize("service", SERVICES)
def test_every_entry_point_goes_through_the_service_bootstrap(service: str) -> None:
    boot = importlib.import_module(f"{service}.bootstrap")
    assert service == boot.SERVICE and Path(boot.MIGRATIONS, "env.py").exists()
    params = inspect.signature(boot.bootstrap).parameters
    assert next(iter(params)) == "settings" and {"process", "repo", "clock"} <= set(params)
    ports = set(params) - {"settings", "process"}
    web = set(inspect.signature(importlib.import_module(f"{service}.app").create_app).parameters)
    assert ports - {"metrics", "calendar"} <= web, "create_app passes the ports on"
    worker = importlib.import_module(f"{service}.worker")
    assert list(inspect.signature(worker.components).parameters) == ["deps"]
    src = Path(boot.__file__).parent
    for entry in ("app.py", "worker.py", "manage.py"):
        path = src / entry
        if path.exists():
            assert "bootstrap(" in path.read_text(encoding="utf-8"), f"{service}/{entry} calls bootstrap"
