"""The HTTP API on the real PostgreSQL (migrated with Alembic): scopes, field errors, idempotency, outbox."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dunghan.db import make_engine
from dunghan.db.messaging import outbox_table
from dunghan.web.auth import hash_key
from intake.app import create_app
from intake.config import Settings
from intake.records import SourceSystem
from intake.repository import SqlRepository

from ..conftest import CODE, T0, make_fact, seed  # type: ignore[import-not-found]

pytestmark = pytest.mark.integration
SCT = {"Authorization": "Bearer key-sct"}
STP = {"Authorization": "Bearer key-stp"}


@pytest.fixture(scope="module")
def env(make_database):
    url = make_database("intake_api")
    settings = Settings(database_url=url, id_pepper="p", migrate=True)
    app = create_app(settings, clock=lambda: T0 + timedelta(days=1))
    engine = make_engine(url)
    repo = SqlRepository(engine)
    seed(repo)
    with repo.transaction() as tx:
        tx.save_source(SourceSystem("api-sct", "SCT", "system", api_key_sha256=hash_key("key-sct")))
        tx.save_source(SourceSystem("api-stp", "STP", "system", api_key_sha256=hash_key("key-stp")))
    yield app.test_client(), engine
    engine.dispose()


def post(client, raw, headers=SCT):
    return client.post(f"/api/v1/dossiers/{raw['code']}/events", json=raw, headers=headers)


def outbox_count(engine):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(outbox_table)).scalar_one()


def test_acceptance_is_stored_with_history_and_outbox_row_and_is_idempotent(env):
    client, engine = env
    before = outbox_count(engine)
    raw = make_fact("dossier.accepted")
    first = post(client, raw)
    assert first.status_code == 201
    again = post(client, raw)
    assert (again.status_code, again.json) == (201, first.json)
    assert outbox_count(engine) == before + 1
    conflict = post(client, {**raw, "officer": "SCT-CB01"})
    assert conflict.status_code == 409 and conflict.json["error"]["field"] == "event_id"
    d = client.get(f"/api/v1/dossiers/{CODE}", headers=SCT).json
    assert d["status"] == 2 and len(d["history"]) == 1 and d["procedure_version"] == 1


def test_other_agency_gets_403(env):
    client, _ = env
    assert client.get(f"/api/v1/dossiers/{CODE}", headers=STP).status_code == 403
    raw = make_fact("dossier.accepted", code="SCT-170306-0077")
    assert post(client, raw, headers=STP).status_code == 403


def test_field_errors_are_4xx_json(env):
    client, _ = env
    r = post(client, make_fact("dossier.accepted", code="SCT-170306-0002", procedure_code="NOPE"))
    assert r.status_code == 422 and r.json["error"]["field"] == "procedure_code"
    r = post(client, make_fact("dossier.accepted", code="SCT-170306-0003", occurred_at="yesterday"))
    assert r.status_code == 422 and r.json["error"]["field"] == "occurred_at"


def test_out_of_order_facts_are_applied_after_acceptance(env):
    client, _ = env
    code = "SCT-170306-0010"
    assert post(client, make_fact("result.ready", code=code, at=T0 + timedelta(days=2))).status_code == 202
    assert post(client, make_fact("dossier.accepted", code=code)).status_code == 201
    d = client.get(f"/api/v1/dossiers/{code}", headers=SCT).json
    assert d["status"] == 9 and [h["fact"] for h in d["history"]] == ["dossier.accepted", "result.ready"]
    listed = client.get("/api/v1/dossiers?status=9", headers=SCT).json
    assert [x["code"] for x in listed["items"]] == [code]


def test_citizen_lookup_against_the_hashed_id_number(env):
    client, _ = env
    r = client.get(f"/api/v1/lookup?code={CODE}&id_number=079123456789")
    assert r.status_code == 200 and r.json["appointment_date"] == "2017-03-20"


def test_list_counts_refusals_apart_answers_local_times_and_takes_plain_dates(env):
    from ..unit.test_api import check_list_counts_times_and_plain_dates  # type: ignore[import-not-found]

    client, _ = env
    check_list_counts_times_and_plain_dates(client, prefix="SCT-170306-06")
