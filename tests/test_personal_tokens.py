"""Personal tokens (app passwords) over REST on a live server with sign-in: a signed-in person makes,
lists and revokes their own, never with more than their own role and departments; the secret is
shown once; others cannot see or revoke them; an admin of every department can."""
from __future__ import annotations

import uuid

import pytest
import requests

from support.live_helpers import http
from support.oidc_provider import approve, authorize_form, sign_in

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("personal_tokens")]


@pytest.fixture(scope="module")
def url(signing_in):
    """The module's server (support.oidc_provider's signing_in)."""
    return signing_in.url


def _person(url: str, provider, groups: list[str], name: str | None = None) -> requests.Session:
    return sign_in(url, provider.add_person(groups, name=name))


def _make(browser: requests.Session, url: str, **body) -> requests.Response:
    body.setdefault("name", f"app-{uuid.uuid4().hex[:8]}")
    return browser.post(f"{url}/api/tokens", json=body, headers={"Origin": url}, timeout=10)


def _me(url: str, token: str) -> requests.Response:
    return requests.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_person_makes_uses_lists_and_revokes_their_own_token(url, provider):
    browser = _person(url, provider, ["calendar-editors"], name="정수진")
    made = _make(browser, url, name="sujin-desktop")
    assert made.status_code == 201, made.text
    summary = made.json()
    token = summary.pop("token")
    assert (summary["name"], summary["role"], summary["departments"], summary["owner"], summary["created_by"]) == (
        "sujin-desktop", "editor", None, "정수진", "정수진")
    me = _me(url, token)
    assert me.status_code == 200 and (me.json()["name"], me.json()["role"], me.json()["auth"]) == (
        "sujin-desktop", "editor", "token")
    listed = browser.get(f"{url}/api/tokens", timeout=10).json()
    assert listed == [summary]  # the secret is never shown again
    assert browser.delete(f"{url}/api/tokens/sujin-desktop", headers={"Origin": url}, timeout=10).status_code == 204
    assert _me(url, token).status_code == 401
    assert browser.get(f"{url}/api/tokens", timeout=10).json() == []


def test_a_token_never_has_more_than_its_owner(url, provider):
    mine = http.post(f"{url}/api/departments", json={"name": f"영업부{uuid.uuid4().hex[:4]}"}, timeout=10).json()
    other = http.post(f"{url}/api/departments", json={"name": f"개발부{uuid.uuid4().hex[:4]}"}, timeout=10).json()
    viewer = _person(url, provider, ["calendar-viewers"])
    assert _make(viewer, url, role="editor").status_code == 403
    scoped = _person(url, provider, ["calendar-editors", f"dept:{mine['name']}"])
    assert _make(scoped, url, departments=[other["id"]]).status_code == 403
    default = _make(scoped, url)
    assert default.status_code == 201 and default.json()["departments"] == [mine["id"]]
    assert _me(url, default.json()["token"]).json()["departments"] == [mine["id"]]
    lower = _make(scoped, url, role="viewer", departments=[mine["id"]])
    assert lower.status_code == 201 and lower.json()["role"] == "viewer"


def test_bad_input_is_a_400_and_a_taken_name_a_409(url, provider):
    browser = _person(url, provider, ["calendar-editors"])
    bad = _make(browser, url, name="no spaces allowed", role="root")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"name", "role"}
    unknown = _make(browser, url, departments=[str(uuid.uuid4())])
    assert unknown.status_code == 400 and "departments" in unknown.json()["fields"]
    first = _make(browser, url)
    assert _make(browser, url, name=first.json()["name"]).status_code == 409


def test_only_people_make_tokens_and_only_owners_and_admins_revoke_them(url, provider):
    assert http.post(f"{url}/api/tokens", json={"name": "by-a-token"}, timeout=10).status_code == 403
    owner = _person(url, provider, ["calendar-editors"], name="한소유")
    token = _make(owner, url).json()
    stranger = _person(url, provider, ["calendar-editors"])
    assert token["name"] not in [t["name"] for t in stranger.get(f"{url}/api/tokens", timeout=10).json()]
    refused = stranger.delete(f"{url}/api/tokens/{token['name']}", headers={"Origin": url}, timeout=10)
    assert refused.status_code == 404 and _me(url, token["token"]).status_code == 200
    admin = _person(url, provider, ["calendar-admins"])
    seen = {t["name"]: t for t in admin.get(f"{url}/api/tokens", timeout=10).json()}
    assert seen[token["name"]]["owner"] == "한소유"
    assert admin.delete(f"{url}/api/tokens/{token['name']}", headers={"Origin": url}, timeout=10).status_code == 204
    assert _me(url, token["token"]).status_code == 401


def test_a_persons_tokens_never_keep_more_than_their_groups_give_at_their_latest_sign_in(url, provider):
    sales = http.post(f"{url}/api/departments", json={"name": f"영업부{uuid.uuid4().hex[:4]}"}, timeout=10).json()
    dev = http.post(f"{url}/api/departments", json={"name": f"개발부{uuid.uuid4().hex[:4]}"}, timeout=10).json()
    sub = provider.add_person(["calendar-admins"], name="문지훈")
    browser = sign_in(url, sub)
    everything = _make(browser, url).json()["token"]
    sales_viewer = _make(browser, url, role="viewer", departments=[sales["id"]]).json()["token"]
    assert _me(url, everything).json()["role"] == "admin" and sales["id"] in _me(url, everything).json()["departments"]

    provider.add_person(["calendar-editors", f"dept:{dev['name']}"], name="문지훈", sub=sub)  # demoted, moved
    sign_in(url, sub)
    me = _me(url, everything).json()
    assert (me["role"], me["departments"]) == ("editor", [dev["id"]])
    assert requests.post(f"{url}/api/events/{sales['id']}", json={"event_date": "2024-06-03", "title": "x"},
                         headers={"Authorization": f"Bearer {everything}"}, timeout=10).status_code == 403
    assert _me(url, sales_viewer).status_code == 401  # it reached only a department the person no longer does

    provider.add_person(["staff"], sub=sub)  # in no mapped group: sign-in refused, every token revoked
    refused = requests.Session()
    assert approve(refused, authorize_form(refused, url), sub).status_code == 403
    assert _me(url, everything).status_code == 401


def test_signing_in_with_fewer_groups_ends_the_persons_older_sessions_that_have_more(url, provider):
    sub = provider.add_person(["calendar-admins"], name="임도현")
    older = sign_in(url, sub)
    same = sign_in(url, sub)  # a second sign-in with the same groups ends nothing
    assert older.get(f"{url}/api/me", timeout=10).json()["role"] == "admin"
    provider.add_person(["calendar-viewers"], name="임도현", sub=sub)
    newer = sign_in(url, sub)
    assert newer.get(f"{url}/api/me", timeout=10).json()["role"] == "viewer"
    assert older.get(f"{url}/api/me", timeout=10).status_code == 401  # no admin session left behind
    assert same.get(f"{url}/api/me", timeout=10).status_code == 401
    made = older.post(f"{url}/api/tokens", json={"name": f"late-{uuid.uuid4().hex[:6]}", "role": "admin"},
                      headers={"Origin": url}, timeout=10)
    assert made.status_code == 401
