"""Hostile calls on the write and query APIs of the four services: keys act for their own agency, the catalogue
stores nothing malformed, dates out of the calendar are 4xx (never 5xx), every protected operation declares
its security scheme, 405 names what is allowed, and the citizen lookup limit holds across gunicorn workers."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import requests

from .conftest import ADMIN_KEY, STP_OPERATOR_KEY, System
from .hostile_corpus import base

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SERVICES = ("intake", "deadline", "scoring", "notify")


def procedure(**over: Any) -> dict[str, Any]:
    body = {"code": "SCT-HOSTILE-01", "agency": "SCT", "name": "Thủ tục thử", "field": "Thương mại",
            "statutory": {"value": 5}, "committed": {"value": 4}, "effective_from": "2019-01-01"}
    return {**body, **over}


def field_of(resp: requests.Response) -> Any:
    return resp.json()["error"]["field"]


def test_an_operator_of_another_agency_cannot_post_to_this_agencys_dossier(system: System) -> None:
    fact = {**base("SCT-190604-6200", "hostile-stp-1"), "applicant": {"name": "Công ty TNHH Thử"}}
    resp = system.api("intake", "POST", "/api/v1/dossiers/SCT-190604-6200/events", key=STP_OPERATOR_KEY,
                      json=fact)
    assert resp.status_code == 403 and field_of(resp) == "agency"
    assert system.api("intake", "GET", "/api/v1/dossiers/SCT-190604-6200").status_code == 404
    listing = system.api("intake", "GET", "/api/v1/dossiers?agency=SCT", key=STP_OPERATOR_KEY)
    assert listing.status_code == 403
    unit = {"agency": "SCT", "name": "Phòng giả"}
    resp = system.api("intake", "PUT", "/api/v1/units/SCT-FAKE", key=STP_OPERATOR_KEY, json=unit)
    assert resp.status_code == 403
    report = "/api/v1/reports/06a?agency=SCT&from=2017-01-01&to=2017-12-31"
    assert system.api("scoring", "GET", report, key=STP_OPERATOR_KEY).status_code == 403


@pytest.mark.parametrize(("over", "field"), [
    ({"code": ""}, "code"),
    ({"code": "SCT-TM-99\n"}, "code"),
    ({"agency": "XYZ", "code": "XYZ-TM-01"}, "agency"),
    ({"effective_to": "2018-12-31"}, "effective_to"),
    ({"effective_from": "0011-01-01"}, "effective_from"),
    ({"effective_from": "2019-W01-1"}, "effective_from"),
    ({"channels": ["1"]}, "channels.0"),
    ({"statutory": {"value": "5"}}, "statutory.value"),
    ({"abolished": "false"}, "abolished"),
    ({"name": ""}, "name"),
])
def test_the_catalogue_stores_nothing_malformed(system: System, over: dict[str, Any], field: str) -> None:
    body = procedure(**over)
    resp = system.api("intake", "POST", "/api/v1/procedures", key=ADMIN_KEY, json=body)
    assert 400 <= resp.status_code < 500 and field_of(resp) == field, resp.text
    code = quote(body["code"] or "x", safe="")
    assert system.api("intake", "GET", f"/api/v1/procedures/{code}").status_code == 404


def test_the_catalogue_is_written_only_for_the_callers_agency_and_an_empty_import_is_refused(
        system: System) -> None:
    stp = procedure(agency="STP", code="STP-TM-01")
    assert system.api("intake", "POST", "/api/v1/procedures", json=stp).status_code == 403
    for content_type in ("application/yaml", "text/csv"):
        resp = system.api("intake", "POST", "/api/v1/procedures/import", headers={"Content-Type": content_type})
        assert resp.status_code == 422 and field_of(resp) == "body", resp.text
    yaml_stp = "agency: STP\nprocedures:\n- code: STP-TM-01\n  name: x\n  field: x\n  statutory: 5\n" \
               "  effective_from: '2019-01-01'\n"
    resp = system.api("intake", "POST", "/api/v1/procedures/import", data=yaml_stp.encode(),
                      headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 403


@pytest.mark.parametrize(("service", "path", "field"), [
    ("scoring", "/api/v1/reports/06a?agency=SCT&from=2017-01-01&to=9999-12-31", "to"),
    ("scoring", "/api/v1/reports/06a?agency=SCT&from=2017-12-31&to=2017-01-01", "to"),
    ("scoring", "/api/v1/reports/06a?agency=SCT&from=0001-01-01&to=2017-01-01", "from"),
    ("scoring", "/api/v1/reports/index?agency=SCT&year=%D9%A2%D9%A0%D9%A1%D9%A7", "year"),
    ("deadline", "/api/v1/due?within=%D9%A3", "within"),
    ("intake", "/api/v1/dossiers?received_from=2019-06-04T09:00:00%2B07", "received_from"),
    ("intake", "/api/v1/dossiers?page=%EF%BC%92", "page"),
    ("intake", "/api/v1/procedures?on=9999-12-31", "on"),
])
def test_query_arguments_out_of_range_are_4xx(system: System, service: str, path: str, field: str) -> None:
    resp = system.api(service, "GET", path)
    assert 400 <= resp.status_code < 500 and field_of(resp) == field, resp.text


@pytest.mark.parametrize("service", SERVICES)
def test_every_protected_operation_declares_bearer_security_and_405_carries_allow(system: System,
                                                                                   service: str) -> None:
    spec = system.api(service, "GET", "/openapi.json", key=None).json()
    assert spec["components"]["securitySchemes"]["apiKey"] == {"type": "http", "scheme": "bearer"}
    undeclared = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method not in ("get", "put", "post", "delete", "patch") or op.get("security"):
                continue
            concrete = path.replace("{", "").replace("}", "")  # path parameters become their own names
            if system.api(service, method.upper(), concrete, key=None).status_code == 401:
                undeclared.append(f"{method.upper()} {path}")
    assert not undeclared, f"{service}: protected but not declared: {undeclared}"
    resp = requests.request("TRACE", system.stack.url(service) + "/healthz", timeout=10)
    assert resp.status_code == 405 and "GET" in resp.headers.get("Allow", "")
    assert resp.json()["error"]["code"] == "method_not_allowed"


def test_the_lookup_limit_holds_across_gunicorn_workers_and_429_says_when_to_retry(system: System) -> None:
    statuses, retry_after = [], []
    for n in range(14):  # a new connection each time: gunicorn's two workers share them
        resp = requests.get(system.stack.url("intake") + f"/api/v1/lookup?code=SCT-190604-{6300 + n}"
                            "&id_number=079123456789", timeout=10, headers={"Connection": "close"})
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            retry_after.append(resp.headers.get("Retry-After"))
    assert statuses.count(404) <= 7, statuses  # burst 5 (+1 refilled while this runs), not 5 per worker
    assert statuses.count(429) >= 7 and all(r and r.isdigit() and int(r) >= 1 for r in retry_after)
