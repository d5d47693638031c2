"""RATE_LIMIT for people signed in with the company's account: each person spends their own budget,
told apart by issuer and subject (two people may share a display name, or have a token's name)."""
from __future__ import annotations

from auth.sessions import COOKIE_NAME, SessionStore


def test_two_people_with_one_display_name_spend_separate_budgets(settings, db, admin_token):
    from app import create_app

    signed_in = settings.with_overrides(oidc_issuer="https://idp.example", oidc_client_id="calendar",
                                        rate_limit="3 per minute")
    store = SessionStore(db, signed_in)
    app = create_app(signed_in, db)
    browsers = []
    for subject in ("kim-1", "kim-2"):
        with app.test_request_context():  # as /auth/callback makes it
            secret = store.create({"name": "test-admin", "email": None, "role": "viewer", "departments": [],
                                   "issuer": "https://idp.example", "subject": subject})
        browser = app.test_client()
        browser.set_cookie(COOKIE_NAME, secret)
        browsers.append(browser)
    first, second = browsers
    assert [first.get("/api/me").status_code for _ in range(3)] == [200, 200, 200]
    assert first.get("/api/me").status_code == 429
    assert second.get("/api/me").status_code == 200  # the other 김 is not held back
    token = app.test_client().get("/api/me", headers={"Authorization": f"Bearer {admin_token}"})
    assert token.status_code == 200  # nor the token whose name the two share
