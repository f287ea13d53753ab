"""docs/integration/asyncapi.yaml is the contract in code (topology, events, intake's facts), every field of every
event means something, and the AsyncAPI project's own parser accepts the document."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import typing
from pathlib import Path

import pytest
import yaml

from deadline.domain import APPROACHING, DUE_REASONS
from dunghan.bus import permissions
from dunghan.bus.topology import TOPOLOGY
from dunghan.contract.asyncapi import dataclass_schema
from dunghan.contract.descriptions import EVENTS, FIELDS, VALUES, lookup
from dunghan.contract.events import EVENT_TYPES, routing_key
from dunghan.deadline.classification import INELIGIBLE
from dunghan.deadline.model import STOP_KINDS
from intake.contract_doc import REJECTIONS, asyncapi_yaml
from intake.domain import RejectKind
from intake.facts import FACTS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "integration" / "asyncapi.yaml"
TOOL = ROOT / "tools" / "asyncapi"


def test_committed_asyncapi_document_matches_the_code():
    assert DOC.read_text(encoding="utf-8") == asyncapi_yaml(), "run `make asyncapi` and commit the document"


def test_every_fact_event_user_and_queue_is_in_the_document():
    doc = yaml.safe_load(DOC.read_text(encoding="utf-8"))
    addresses = {c["address"] for c in doc["channels"].values()}
    assert {f"{{agency}}.{f}" for f in FACTS} <= addresses
    assert {f"{routing_key(t)}.{{agency}}" for t in EVENT_TYPES} <= addresses
    topology = doc["servers"]["rabbitmq"]["x-amqp-topology"]
    assert {u["name"] for u in topology["users"]} == set(permissions.users())
    assert {q["name"] for q in topology["queues"]} >= {q.name for q in TOPOLOGY.queues}
    assert set(doc["components"]["x-rejection-reasons"]) == set(typing.get_args(RejectKind))


def test_every_event_and_every_field_has_a_meaning():
    found: dict[str, type] = {}
    for cls in EVENT_TYPES.values():  # every event and every object nested in one
        dataclass_schema(cls, found)
    nested = _nested(found)
    classes = [*EVENT_TYPES.values(), *nested]
    missing = [f"{cls.__name__}.{f.name}" for cls in classes for f in dataclasses.fields(cls)
               if lookup(FIELDS, cls.__name__, f.name) is None]
    assert not missing, f"describe these in dunghan/contract/descriptions.py: {missing}"
    assert {cls.__name__ for cls in EVENT_TYPES.values()} <= set(EVENTS)
    assert {"StepResult", "ProcedureSnapshot", "StandingEntry", "RewardProposal", "StepBudget"} <= {
        c.__name__ for c in nested}


def _nested(found: dict[str, type]) -> list[type]:
    out: dict[str, type] = {}
    todo = dict(found)
    while todo:
        name, cls = todo.popitem()
        if name not in out:
            out[name] = cls
            more: dict[str, type] = {}
            dataclass_schema(cls, more)
            todo.update({k: v for k, v in more.items() if k not in out})
    return list(out.values())


def test_documented_values_are_the_values_the_code_uses():
    assert set(VALUES["DueDateSet.reason"]) == set(DUE_REASONS.values()) | {"accepted", "corrected"}
    assert set(VALUES["stop_reason"]) == set(STOP_KINDS) | INELIGIBLE
    assert set(VALUES["threshold"]) == set(APPROACHING)
    assert set(REJECTIONS) == set(typing.get_args(RejectKind))
    engine = (ROOT / "libs/dunghan/src/dunghan/deadline/clock.py").read_text(encoding="utf-8")
    for code in VALUES["violations"]:
        assert f'"{code}"' in engine, code


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the AsyncAPI document is not validated with @asyncapi/parser")
    if not (TOOL / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail("the AsyncAPI parser is not installed: run `make install` (npm ci in tools/asyncapi)")
    return subprocess.run([node, str(TOOL / "validate.mjs"), str(path)], cwd=TOOL, capture_output=True,
                          text=True, timeout=120)


def test_the_asyncapi_parser_accepts_the_document():
    result = _validate(DOC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid AsyncAPI 3.0.0" in result.stdout


def test_the_asyncapi_parser_rejects_a_broken_document(tmp_path):
    doc = yaml.safe_load(DOC.read_text(encoding="utf-8"))
    doc["operations"]["send_dossier_accepted"]["channel"] = {"$ref": "#/channels/nowhere"}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = _validate(broken)
    assert result.returncode == 1, result.stdout
