"""scoring's answers match the schemas its OpenAPI documents: every operation on a campaign with results (before
and after the phase is closed, with proposals, corrections and reports), then schemathesis' own fuzzing."""
from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from scoring_events import CAMPAIGN, NOW, apply  # type: ignore[import-not-found]

from dunghan.web import hash_key
from scoring.app import create_app
from scoring.config import Settings
from scoring.repository import SqlRepository

from .test_campaign_flow import classified, fill_phase_1

pytestmark = pytest.mark.integration
CHECKS = [not_a_server_error, response_schema_conformance]
KEYS = (f"ops:SCT:operator:{hash_key('op-key')};cd:SCT:union:{hash_key('union-key')};"
        f"ld:SCT:leadership:{hash_key('lead-key')}")
OP = {"Authorization": "Bearer op-key"}
P = f"/api/v1/campaigns/{CAMPAIGN}/phases/1"
R = "/api/v1/reports"


def _schema(repo: SqlRepository) -> Any:
    app = create_app(Settings(api_keys=KEYS), repo=repo, clock=lambda: NOW)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def _validate(schema: Any, method: str, path: str, key: str = "op-key", status: int = 200, **parts: Any) -> Any:
    """Call one documented operation with the given path parameters, query and body, and check its answer."""
    template = next(p for p in schema.raw_schema["paths"] if _matches(p, path))
    operation = schema[template][method]
    case = operation.Case(path_parameters=_params(template, path), **parts)
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == status, response.text
    case.validate_response(response, checks=CHECKS)
    return response


def _matches(template: str, path: str) -> bool:
    t, p = template.strip("/").split("/"), path.strip("/").split("/")
    return len(t) == len(p) and all(a == b or a.startswith("{") for a, b in zip(t, p, strict=True))


def _params(template: str, path: str) -> dict[str, str]:
    pairs = zip(template.split("/"), path.split("/"), strict=True)
    return {a.strip("{}"): b for a, b in pairs if a.startswith("{")}


def test_every_operation_answers_as_documented(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    schema = _schema(repo)
    new = {"id": "c2", "name": "Thi đua 2", "agency": "SCT",
           "phases": [{"key": "1", "name": "Đợt 1", "starts_on": "2018-01-01", "ends_on": "2018-06-30",
                       "review_date": "2018-07-05"}]}
    _validate(schema, "POST", "/api/v1/campaigns", status=201, body=new)
    _validate(schema, "GET", "/api/v1/campaigns")
    _validate(schema, "GET", f"/api/v1/campaigns/{CAMPAIGN}/rules")
    for kind in ("unit", "officer"):
        _validate(schema, "GET", f"{P}/standings", query={"kind": kind})
    _validate(schema, "GET", f"{P}/steps", query={"unit": "KTAT"})
    _validate(schema, "POST", f"/api/v1/campaigns/{CAMPAIGN}/complaints", status=201,
              body={"kind": "officer", "subject": "an", "occurred_on": "2017-04-10"})
    _validate(schema, "POST", f"/api/v1/campaigns/{CAMPAIGN}/discipline", status=201,
              body={"officer": "an", "unit": "KTAT", "starts_on": "2017-04-10"})
    _validate(schema, "GET", f"{P}/proposals", status=409)  # no draft before the phase closes
    _validate(schema, "POST", f"{P}/close")
    _validate(schema, "POST", f"{P}/close", status=409)
    apply(repo, classified("S9", "an", "late", NOW))  # a correction after the freeze
    _validate(schema, "GET", f"{P}/corrections")
    _validate(schema, "GET", f"{P}/standings", query={"kind": "officer"})
    proposals = _validate(schema, "GET", f"{P}/proposals").json()["items"]
    _validate(schema, "POST", f"{P}/proposals/{proposals[0]['id']}/remove", key="union-key",
              body={"reason": "không đủ điều kiện"})
    _validate(schema, "POST", f"{P}/proposals", key="union-key", status=201,
              body={"kind": "officer", "subject": "chi", "title": "Giấy khen (cá nhân)",
                    "reason": "Nhân tố điển hình"})
    _validate(schema, "POST", f"{P}/proposals/compile", key="union-key")
    _validate(schema, "POST", f"{P}/proposals/decision", key="lead-key",
              body={"decision_number": "12/QĐ-SCT", "decision_date": "2017-07-20"})
    _validate(schema, "GET", f"{P}/proposals")
    for fmt in ("xlsx", "docx"):
        _validate(schema, "GET", f"{P}/proposals", query={"format": fmt})
    for fmt in ("json", "csv", "xlsx"):
        _validate(schema, "GET", f"{R}/06a", query={"agency": "SCT", "period": "2017", "format": fmt})
        _validate(schema, "GET", f"{R}/index", query={"agency": "SCT", "year": "2017", "format": fmt})
    _validate(schema, "GET", f"{R}/index", query={"agency": "SCT", "year": "2016", "retroactive": "true"})
    _validate(schema, "GET", "/api/v1/campaigns/none/rules", status=404)


def test_schemathesis_finds_no_server_error_nor_an_undocumented_answer(repo: SqlRepository) -> None:
    fill_phase_1(repo)
    schema = _schema(repo)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=8, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=OP, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)



def test_every_success_answer_documents_its_json_schema_and_the_files_beside_it(repo: SqlRepository) -> None:
    spec = _schema(repo).raw_schema
    for path, item in spec["paths"].items():
        for method, operation in ((m, o) for m, o in item.items() if m in ("get", "post", "put", "delete")):
            success = next(v for k, v in operation["responses"].items() if str(k).startswith("2"))
            assert "schema" in success["content"]["application/json"], (method, path)
    downloads = spec["paths"]["/api/v1/reports/06a"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv; charset=utf-8"} <= set(downloads)
