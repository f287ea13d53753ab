"""HTTP API over the in-memory registry: auth scopes, field errors, idempotent replies, lookup."""
from __future__ import annotations

from datetime import timedelta

import pytest
from intake_fakes import InMemoryRepository

from dunghan.web.auth import hash_key
from intake.app import create_app
from intake.config import Settings
from intake.records import SourceSystem, Unit

from ..conftest import CODE, T0, make_fact, seed  # type: ignore[import-not-found]

SCT = {"Authorization": "Bearer key-sct"}
STP = {"Authorization": "Bearer key-stp"}
OP = {"Authorization": "Bearer key-op"}


def build(repo):
    seed(repo)
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("api-sct", "SCT", "system", api_key_sha256=hash_key("key-sct")))
        tx.save_source(SourceSystem("api-stp", "STP", "system", api_key_sha256=hash_key("key-stp")))
        tx.save_source(SourceSystem("ops", "SCT", "operator", api_key_sha256=hash_key("key-op")))
    app = create_app(Settings(id_pepper="p", lookup_burst=2), repo=repo, clock=lambda: T0 + timedelta(days=1))
    return app.test_client()


@pytest.fixture
def client():
    return build(InMemoryRepository())


def post(client, raw, headers=SCT):
    return client.post(f"/api/v1/dossiers/{raw['code']}/events", json=raw, headers=headers)


def test_post_fact_then_read_dossier_with_history(client):
    r = post(client, make_fact("dossier.accepted"))
    assert r.status_code == 201 and r.json["status"] == "accepted"
    r = client.get(f"/api/v1/dossiers/{CODE}", headers=SCT)
    assert r.status_code == 200
    assert r.json["status"] == 2 and r.json["history"][0]["fact"] == "dossier.accepted"
    assert "id_number_hash" not in r.json and "applicant_phone" not in r.json


def test_duplicate_post_answers_the_same(client):
    raw = make_fact("dossier.accepted")
    first = post(client, raw)
    again = post(client, raw)
    assert (again.status_code, again.json) == (first.status_code, first.json)


def test_validation_error_names_the_field(client):
    raw = make_fact("dossier.accepted")
    del raw["unit"]
    r = post(client, raw)
    assert r.status_code == 422 and r.json["error"]["field"] == "unit"
    r = post(client, make_fact("dossier.accepted", channel=7))
    assert r.json["error"]["field"] == "channel"
    r = client.post(f"/api/v1/dossiers/{CODE}/events", data="not json", headers=SCT)
    assert r.status_code == 400 and r.json["error"]["field"] == "body"


def test_officer_not_in_the_given_unit_is_422_on_officer_and_nothing_is_stored():
    repo = InMemoryRepository()
    client = build(repo)
    with repo.transaction() as tx:
        tx.save_unit(Unit("SCT-KTAT", "SCT", "Phòng Kỹ thuật an toàn"))
    r = post(client, make_fact("dossier.accepted", unit="SCT-KTAT", officer="SCT-CB02"))
    assert r.status_code == 422 and r.json["error"]["field"] == "officer"
    assert "SCT-QLTM" in r.json["error"]["message"] and "SCT-KTAT" in r.json["error"]["message"]
    assert repo.state.dossiers == {} and repo.published == []
    assert post(client, make_fact("dossier.accepted")).status_code in (200, 201)
    r = post(client, make_fact("dossier.transferred", unit="SCT-KTAT", officer="SCT-CB01"))
    assert r.status_code == 422 and r.json["error"]["field"] == "officer"
    assert repo.state.dossiers[CODE].unit == "SCT-QLTM"


def test_other_agency_cannot_write_or_read(client):
    assert post(client, make_fact("dossier.accepted"), headers=STP).status_code == 403
    post(client, make_fact("dossier.accepted"))
    assert client.get(f"/api/v1/dossiers/{CODE}", headers=STP).status_code == 403
    assert client.get("/api/v1/dossiers?agency=SCT", headers=STP).status_code == 403
    assert client.get("/api/v1/dossiers", headers=STP).json["total"] == 0
    assert client.get("/api/v1/dossiers", headers=SCT).json["total"] == 1


def test_missing_key_is_401_and_health_is_open(client):
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_lifecycle_break_is_409_and_buffered_is_202(client):
    assert post(client, make_fact("result.ready")).status_code == 202
    post(client, make_fact("dossier.accepted"))
    r = post(client, make_fact("dossier.accepted"))
    assert r.status_code == 409 and r.json["error"]["field"] == "fact"


def test_dossier_list_filters_and_overdue(client):
    post(client, make_fact("dossier.accepted"))
    post(client, make_fact("dossier.accepted", code="SCT-170306-0002", officer="SCT-CB01",
                           appointment_at=(T0 + timedelta(hours=2)).isoformat()))
    assert client.get("/api/v1/dossiers?officer=SCT-CB01", headers=SCT).json["total"] == 1
    overdue = client.get("/api/v1/dossiers?overdue=true", headers=SCT).json
    assert [d["code"] for d in overdue["items"]] == ["SCT-170306-0002"]
    page = client.get("/api/v1/dossiers?per_page=1&page=2", headers=SCT).json
    assert page["total"] == 2 and len(page["items"]) == 1


def test_citizen_lookup_needs_the_id_number_and_is_rate_limited(client):
    post(client, make_fact("dossier.accepted"))
    ok = client.get(f"/api/v1/lookup?code={CODE}&id_number=079123456789")
    assert ok.status_code == 200
    assert ok.json == {"code": CODE, "status": 2, "status_name": "được tiếp nhận",
                       "appointment_date": "2017-03-20"}
    assert client.get(f"/api/v1/lookup?code={CODE}&id_number=079000000000").status_code == 404
    assert client.get(f"/api/v1/lookup?code={CODE}&id_number=079123456789").status_code == 429


def test_catalogue_admin_needs_operator_and_versions_are_effective_dated(client):
    body = {"code": "SCT-TM-01", "agency": "SCT", "name": "Cấp Giấy phép bán lẻ sản phẩm rượu",
            "field": "Lưu thông hàng hóa trong nước", "statutory": {"value": 15}, "committed": {"value": 7},
            "effective_from": "2017-02-17"}
    assert client.post("/api/v1/procedures", json=body, headers=SCT).status_code == 403
    r = client.post("/api/v1/procedures", json=body, headers=OP)
    assert r.status_code == 201 and r.json["version"] == 2
    versions = client.get("/api/v1/procedures/SCT-TM-01", headers=SCT).json
    assert versions[0]["effective_to"] == "2017-02-17"
    current = client.get("/api/v1/procedures?agency=SCT&on=2017-03-01", headers=SCT).json
    assert current[0]["committed_value"] == 7


def test_problem_report_against_a_procedure(client):
    problem = {"summary": "Mẫu đơn chưa cập nhật"}
    r = client.post("/api/v1/procedures/SCT-TM-01/problems", json=problem, headers=SCT)
    assert r.status_code == 201
    assert client.post("/api/v1/procedures/NOPE/problems", json={"summary": "x"}, headers=SCT).status_code == 422
    assert len(client.get("/api/v1/procedures/SCT-TM-01/problems", headers=SCT).json) == 1


def test_officer_admin_publishes_officer_updated():
    repo = InMemoryRepository()
    client = build(repo)
    body = {"agency": "SCT", "unit": "SCT-QLTM", "full_name": "Lê Văn Cường", "email": "cuong@sct.example.vn"}
    assert client.put("/api/v1/officers/SCT-CB09", json=body, headers=SCT).status_code == 403
    assert client.put("/api/v1/officers/SCT-CB09", json=body, headers=OP).status_code == 200
    assert repo.published[-1].type == "vn.dunghan.intake.officer_updated.v1"
    listed = client.get("/api/v1/officers?unit=SCT-QLTM", headers=SCT).json
    assert all(o["email"] is None for o in listed)


def check_list_counts_times_and_plain_dates(client, prefix: str = "SCT-170306-05") -> None:
    """Refused at intake is not resolved; times come back in +07:00; plain dates bound whole local days."""
    accepted, refused, open_ = f"{prefix}01", f"{prefix}02", f"{prefix}03"
    day = T0 + timedelta(days=1)
    post(client, make_fact("dossier.accepted", code=accepted, at=T0))
    post(client, make_fact("result.ready", code=accepted, at=day, decision="approved"))
    post(client, make_fact("dossier.submitted", code=refused, at=T0, channel=2))
    post(client, make_fact("dossier.refused", code=refused, at=day, reason="Thiếu giấy tờ"))
    post(client, make_fact("dossier.accepted", code=open_, at=T0))
    resolved = client.get("/api/v1/dossiers?resolved_from=2017-03-07&resolved_to=2017-03-07", headers=SCT).json
    assert [d["code"] for d in resolved["items"] if d["code"].startswith(prefix)] == [accepted]
    listed = client.get(f"/api/v1/dossiers/{accepted}", headers=SCT).json
    assert listed["accepted_at"] == "2017-03-06T08:30:00+07:00"
    assert listed["appointment_at"] == "2017-03-20T17:00:00+07:00"
    assert listed["history"][0]["occurred_at"].endswith("+07:00")
    received = client.get("/api/v1/dossiers?received_from=2017-03-06&received_to=2017-03-06&open=true",
                          headers=SCT).json
    assert [d["code"] for d in received["items"] if d["code"].startswith(prefix)] == [open_]
    assert received["items"][0]["accepted_at"].endswith("+07:00")
    bad = client.get("/api/v1/dossiers?received_from=06/03/2017", headers=SCT)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "received_from"


def test_list_counts_refusals_apart_answers_local_times_and_takes_plain_dates(client):
    check_list_counts_times_and_plain_dates(client)
def scoped_client(repo=None):
    repo = repo or InMemoryRepository()
    client = build(repo)
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("ops-stp", "STP", "operator", api_key_sha256=hash_key("key-op-stp")))
        tx.save_source(SourceSystem("admin", "SCT", "admin", api_key_sha256=hash_key("key-admin")))
    return client


OP_STP = {"Authorization": "Bearer key-op-stp"}
ADMIN = {"Authorization": "Bearer key-admin"}


def test_an_operator_of_another_agency_cannot_post_to_or_list_this_agencys_dossiers():
    client = scoped_client()
    resp = post(client, make_fact("dossier.accepted"), headers=OP_STP)
    assert resp.status_code == 403 and resp.json["error"]["field"] == "agency"
    assert client.get(f"/api/v1/dossiers/{CODE}", headers=OP).status_code == 404
    assert client.get("/api/v1/dossiers?agency=SCT", headers=OP_STP).status_code == 403
    assert post(client, make_fact("dossier.accepted"), headers=ADMIN).status_code == 201


PROCEDURE = {"code": "SCT-TM-77", "agency": "SCT", "name": "Thủ tục thử", "field": "Thương mại",
             "statutory": {"value": 5}, "committed": {"value": 4}, "effective_from": "2017-02-17"}


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"code": ""}, 422, "code"),
    ({"code": "SCT-TM-77\n"}, 422, "code"),
    ({"agency": "STP"}, 403, "agency"),
    ({"effective_to": "2017-01-01"}, 422, "effective_to"),
    ({"effective_to": "2017-02-17"}, 422, "effective_to"),
    ({"effective_from": "0011-02-17"}, 422, "effective_from"),
    ({"channels": [1.0]}, 422, "channels.0"),
    ({"cutoff": "25:00"}, 422, "cutoff"),
    ({"statutory": {"value": 1e30}}, 422, "statutory.value"),
])
def test_the_catalogue_refuses_what_it_must_not_store(change, status, field):
    client = scoped_client()
    resp = client.post("/api/v1/procedures", json={**PROCEDURE, **change}, headers=OP)
    assert resp.status_code == status and resp.json["error"]["field"] == field, resp.json
    assert client.get("/api/v1/procedures/SCT-TM-77", headers=OP).status_code == 404


def test_an_unknown_agency_is_refused_even_to_an_admin_and_an_empty_import_is_an_error():
    client = scoped_client()
    resp = client.post("/api/v1/procedures", json={**PROCEDURE, "agency": "XYZ"}, headers=ADMIN)
    assert resp.status_code == 422 and resp.json["error"]["field"] == "agency"
    for content_type in ("application/yaml", "text/csv"):
        resp = client.post("/api/v1/procedures/import", data=b"", content_type=content_type, headers=OP)
        assert resp.status_code == 422 and resp.json["error"]["field"] == "body"
    resp = client.post("/api/v1/procedures/import", data=b"- just\n- a list\n", content_type="application/yaml",
                       headers=OP)
    assert resp.status_code == 422


def test_a_unit_head_must_be_an_officer_of_the_agency():
    client = scoped_client()
    body = {"agency": "SCT", "name": "Phòng thử", "head_officer": "NOBODY"}
    resp = client.put("/api/v1/units/SCT-THU", json=body, headers=OP)
    assert resp.status_code == 422 and resp.json["error"]["field"] == "head_officer"


def test_a_refused_lookup_says_when_to_retry(client):
    for _ in range(2):
        client.get(f"/api/v1/lookup?code={CODE}&id_number=079123456789")
    resp = client.get(f"/api/v1/lookup?code={CODE}&id_number=079123456789")
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/agencies/SCT%0A", {"name": "x"}),
    ("/api/v1/agencies/S%D9%A1", {"name": "x"}),
    ("/api/v1/units/SCT-X%0A", {"agency": "SCT", "name": "x"}),
    ("/api/v1/officers/SCT-%EF%BC%91", {"agency": "SCT", "unit": "SCT-QLTM", "full_name": "x"}),
])
def test_codes_in_the_path_are_ascii_up_to_the_true_end(path, body):
    resp = scoped_client().put(path, json=body, headers=ADMIN)
    assert resp.status_code == 422 and resp.json["error"]["field"] == "code", resp.json
