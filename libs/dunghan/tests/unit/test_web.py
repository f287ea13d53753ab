"""The base web app: health, JSON errors naming the field, API keys and agency scope."""
import pytest
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from dunghan.web import StaticKeyStore, create_base_app, hash_key, require_agency, require_auth


class Body(Schema):
    count = fields.Integer(required=True)


def make_client(ready=True):
    def check():
        if not ready:
            raise ConnectionError("down")

    keys = StaticKeyStore.from_spec(f"sys:SCT:system:{hash_key('k1')};op:SCT:operator:{hash_key('k2')};"
                                    f"stp:STP:operator:{hash_key('k3')};all:SCT:admin:{hash_key('k4')}")
    app, api = create_base_app("t", title="T", keystore=keys, readiness={"db": check})
    blp = Blueprint("b", __name__, url_prefix="/api")

    @blp.route("/<agency>/things", methods=["POST"])
    @require_auth()
    @blp.arguments(Body)
    @blp.response(201, Body)
    def create(data, agency):
        require_agency(agency)
        return data

    @blp.route("/admin", methods=["GET"])
    @require_auth("operator")
    def admin():
        return {"ok": True}

    api.register_blueprint(blp)
    return app.test_client()


def test_health_is_open_and_readiness_reports_failed_checks():
    assert make_client().get("/healthz").status_code == 200
    assert make_client().get("/readyz").status_code == 200
    resp = make_client(ready=False).get("/readyz")
    assert resp.status_code == 503 and resp.json["failed"] == {"db": "ConnectionError"}


def test_missing_key_is_401_naming_the_header():
    resp = make_client().post("/api/SCT/things", json={"count": 1})
    assert resp.status_code == 401 and resp.json["error"]["field"] == "Authorization"


def test_validation_error_names_the_field():
    resp = make_client().post("/api/SCT/things", json={"count": "x"}, headers={"Authorization": "Bearer k1"})
    assert resp.status_code == 422 and resp.json["error"]["field"] == "count"


def test_system_key_is_scoped_to_its_agency_and_operator_role_checked():
    c = make_client()
    assert c.post("/api/SCT/things", json={"count": 1}, headers={"X-API-Key": "k1"}).status_code == 201
    assert c.post("/api/XYZ/things", json={"count": 1}, headers={"X-API-Key": "k1"}).status_code == 403
    assert c.get("/api/admin", headers={"X-API-Key": "k1"}).status_code == 403
    assert c.get("/api/admin", headers={"X-API-Key": "k2"}).status_code == 200


def test_openapi_and_metrics_are_served():
    c = make_client()
    assert "/api/{agency}/things" in c.get("/openapi.json").json["paths"]
    c.get("/healthz")
    assert b"dunghan_http_request_duration_seconds" in c.get("/metrics").data


def test_text_the_database_cannot_store_is_a_400_naming_the_field():
    c = make_client()
    key = {"Authorization": "Bearer k2"}
    resp = c.get("/api/admin?unit=a%00b", headers=key)
    assert resp.status_code == 400 and resp.json["error"]["field"] == "unit"
    assert c.get("/api/ad%00min", headers=key).status_code == 400
    resp = c.post("/api/SCT/things", data='{"count": 1, "x": "\\ud800"}', content_type="application/json",
                  headers=key)
    assert resp.status_code == 400 and resp.json["error"]["field"] == "x"
    assert c.post("/api/SCT/things", json={"count": 1}, headers=key).status_code == 201


def test_a_database_outage_is_a_retryable_503_and_any_other_error_a_500():
    from sqlalchemy.exc import IntegrityError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    app, _api = create_base_app("t", title="T")
    raised: list[Exception] = []

    @app.get("/boom")
    def boom():
        raise raised[-1]

    client = app.test_client()
    for error in (OperationalError("SELECT 1", {}, Exception("connection refused")),
                  PoolTimeout("QueuePool limit reached")):
        raised.append(error)
        response = client.get("/boom")
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert response.get_json()["error"]["code"] == "database_unavailable"
    raised.append(IntegrityError("INSERT", {}, Exception("duplicate")))
    response = client.get("/boom")
    assert response.status_code == 500 and "Retry-After" not in response.headers
def test_an_operator_acts_for_its_own_agency_only_and_admin_for_every_agency():
    c = make_client()
    assert c.post("/api/SCT/things", json={"count": 1}, headers={"X-API-Key": "k2"}).status_code == 201
    assert c.post("/api/SCT/things", json={"count": 1}, headers={"X-API-Key": "k3"}).status_code == 403
    assert c.post("/api/XYZ/things", json={"count": 1}, headers={"X-API-Key": "k2"}).status_code == 403
    assert c.post("/api/XYZ/things", json={"count": 1}, headers={"X-API-Key": "k4"}).status_code == 201
    assert c.get("/api/admin", headers={"X-API-Key": "k4"}).status_code == 200


def test_a_key_with_an_unknown_role_is_refused_at_start():
    with pytest.raises(ValueError, match="role"):
        StaticKeyStore.from_spec(f"x:SCT:root:{hash_key('k')}")


def test_protected_operations_declare_the_bearer_scheme_in_openapi():
    spec = make_client().get("/openapi.json").json
    assert spec["paths"]["/api/{agency}/things"]["post"]["security"] == [{"apiKey": []}]
    assert spec["paths"]["/api/admin"]["get"]["security"] == [{"apiKey": []}]


def test_405_names_the_allowed_methods():
    resp = make_client().open("/healthz", method="TRACE")
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]
    assert resp.json["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(("body", "field"), [
    ("[" * 990 + "]" * 990, "body"),
    ('{"count": ' + "9" * 4301 + "}", "body"),
    ('{"count": NaN}', "body"),
    ('{"count": 1, "x": {"y": "a\\u0000b"}}', "x.y"),
])
def test_hostile_json_is_a_400_naming_the_field(body, field):
    resp = make_client().post("/api/SCT/things", data=body, content_type="application/json",
                              headers={"X-API-Key": "k1"})
    assert resp.status_code == 400 and resp.json["error"]["field"] == field


def test_a_number_in_a_string_is_not_an_integer():
    resp = make_client().post("/api/SCT/things", json={"count": 1}, headers={"X-API-Key": "k1"})
    assert resp.status_code == 201
