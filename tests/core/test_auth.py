from northstar.core.models import ApiToken
from tests.conftest import PASSWORD


def test_a_token_is_issued_for_the_right_password_and_stored_only_as_a_digest(api, caseworker):
    r = api().post("/api/v1/auth/token", {"username": caseworker.username, "password": PASSWORD})
    assert r.status_code == 201
    raw = r.json()["token"]
    stored = ApiToken.objects.get(pk=r.json()["id"])
    assert stored.digest == ApiToken.digest_of(raw)
    assert raw not in {stored.digest, stored.prefix, stored.name}
    me = api().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json()["role"] == "caseworker"


def test_a_wrong_password_gets_no_token(api, caseworker):
    r = api().post("/api/v1/auth/token", {"username": caseworker.username, "password": "nope"})
    assert r.status_code == 422
    assert r.json()["field"] == "password"
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working_at_once(api, caseworker):
    r = api().post("/api/v1/auth/token", {"username": caseworker.username, "password": PASSWORD})
    token_id, raw = r.json()["id"], r.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert api().post(f"/api/v1/auth/tokens/{token_id}/revoke", **auth).status_code == 200
    assert api().get("/api/v1/survivors", **auth).status_code == 401


def test_no_token_no_data(api, survivor_a):
    assert api().get("/api/v1/survivors").status_code == 401
    assert api().get(f"/api/v1/survivors/{survivor_a.pk}").status_code == 401


def test_health_answers_without_authentication(api, db):
    r = api().get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "keys": "ok"}


def test_the_openapi_document_is_served_and_lists_the_consent_endpoints(api, db):
    r = api().get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/survivors/{survivor_id}/consents" in paths
    assert "/api/v1/consents/{consent_id}/withdraw" in paths
