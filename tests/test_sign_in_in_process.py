"""A signed-in person's token and people routes through the app in this process (the live-server
tests in test_personal_tokens.py and test_sign_in_instances.py prove the behaviour end to end;
here the same requests run where the DynamoDB permission recorder sees them, so the IAM policy's
session and personal-token grants are checked as used; the second signs in through the real
provider, in this process, so the cut of a person's tokens at sign-in is seen too)."""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import requests

from app import create_app
from auth.sessions import COOKIE_NAME, SessionStore
from support.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider

ORIGIN = {"Origin": "http://localhost"}  # the test client's own origin, as the CSRF check asks


def _person(role: str) -> dict:
    return {"name": f"사람-{uuid.uuid4().hex[:6]}", "email": None, "role": role, "departments": None,
            "issuer": "http://127.0.0.1:9/not-asked", "subject": f"s-{uuid.uuid4().hex[:8]}"}


def test_a_signed_in_admin_makes_lists_revokes_tokens_blocks_a_person_and_signs_out(settings, db):
    signed = settings.with_overrides(oidc_issuer="http://127.0.0.1:9/not-asked", oidc_client_id="calendar",
                                     oidc_client_secret="secret")  # the provider is asked only at /auth/login
    app = create_app(signed, db)
    store = SessionStore(db, signed)
    admin, other = _person("admin"), _person("viewer")
    with app.test_request_context():
        secret, other_secret = store.create(admin), store.create(other)
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, secret)

    name = f"app-{uuid.uuid4().hex[:8]}"
    made = client.post("/api/tokens", json={"name": name}, headers=ORIGIN)
    assert made.status_code == 201, made.get_json()
    assert name in [token["name"] for token in client.get("/api/tokens").get_json()]
    assert client.delete(f"/api/tokens/{name}", headers=ORIGIN).status_code == 204
    assert name not in [token["name"] for token in client.get("/api/tokens").get_json()]

    assert other["subject"] in [person["subject"] for person in client.get("/api/people").get_json()]
    assert client.put(f"/api/people/{other['subject']}/block", headers=ORIGIN).status_code == 204
    blocked = app.test_client()
    blocked.set_cookie(COOKIE_NAME, other_secret)
    assert blocked.get("/api/me").status_code == 401
    with app.test_request_context():  # what /auth/callback asks before it lets a person in again
        assert store.sessions.is_blocked(other["subject"])
    assert client.delete(f"/api/people/{other['subject']}/block", headers=ORIGIN).status_code == 204
    with app.test_request_context():
        assert not store.sessions.is_blocked(other["subject"])

    assert client.post("/auth/logout", headers=ORIGIN).status_code in (200, 204, 302, 303)
    assert client.get("/api/me").status_code == 401


def test_signing_in_again_with_fewer_groups_cuts_the_persons_tokens_down(settings, db):
    with running_provider() as provider:
        signed = settings.with_overrides(oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                         oidc_client_secret=CLIENT_SECRET)
        app = create_app(signed, db)
        sub = provider.add_person(["calendar-admins"], name="배민수")
        with app.test_request_context():
            secret = SessionStore(db, signed).create({**_person("admin"), "issuer": provider.issuer, "subject": sub})
        client = app.test_client()
        client.set_cookie(COOKIE_NAME, secret)
        token = client.post("/api/tokens", json={"name": f"app-{uuid.uuid4().hex[:8]}"}, headers=ORIGIN).get_json()
        provider.add_person(["calendar-viewers"], name="배민수", sub=sub)
        to_provider = client.get("/auth/login").headers["Location"]
        form = requests.get(to_provider, timeout=10)
        back = requests.post(form.url, data={"sub": sub}, allow_redirects=False, timeout=10).headers["Location"]
        parts = urlsplit(back)
        assert client.get(f"{parts.path}?{parts.query}").status_code == 302
        me = app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token['token']}"}).get_json()
        assert (me["name"], me["role"]) == (token["name"], "viewer")
