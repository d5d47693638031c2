"""People, not tokens, in the record: what a person signed in with the company's account writes (in
their browser session or through their personal token) names them in created_by/updated_by, and
keeps their identity (`<issuer>#<subject>`) beside it; what a token writes keeps the token's name
and no identity. On a live server that signs people in with a real OpenID provider on loopback,
over DynamoDB Local and moto; each write is then read back from the table."""
from __future__ import annotations

import uuid

import pytest
import requests

from models import DynamoDBDatabase
from support.live_helpers import ADMIN_NAME, http
from support.oidc_provider import running_provider, sign_in
from support.servers import start_live_server

pytestmark = [pytest.mark.live, pytest.mark.xdist_group("sign_in_records")]

WEEKLY = ["RRULE:FREQ=WEEKLY;COUNT=4"]


@pytest.fixture(scope="module")
def served(module_settings, tmp_path_factory):
    """(the provider, the server's URL, the tables' database)."""
    with running_provider() as provider:
        server = start_live_server(module_settings, tmp_path_factory.mktemp("records") / "app.log",
                                   **provider.settings_env())
        try:
            yield provider, server.url, DynamoDBDatabase(module_settings)
        finally:
            server.stop()


def _origin(url: str) -> dict[str, str]:
    return {"Origin": url}


def test_what_a_person_writes_names_them_and_keeps_their_identity_beside_the_name(served):
    provider, url, db = served
    sub = provider.add_person(["calendar-admins"], name="박서연", email="seoyeon@example.com")
    identity = f"{provider.issuer}#{sub}"
    browser = sign_in(url, sub)
    made = browser.post(f"{url}/api/departments", json={"name": f"기획부 {uuid.uuid4().hex[:6]}"},
                        headers=_origin(url), timeout=10)
    assert made.status_code == 201, made.text
    department = made.json()
    assert (department["created_by"], department["created_by_id"], department["updated_by_id"]) == (
        "박서연", identity, identity)
    event = browser.post(f"{url}/api/events/{department['id']}", json={"event_date": "2024-05-02", "title": "기획 회의"},
                         headers=_origin(url), timeout=10).json()
    assert (event["created_by"], event["updated_by"], event["created_by_id"], event["updated_by_id"]) == (
        "박서연", "박서연", identity, identity)
    stored = db.get_event_item(event["id"])
    assert (stored["created_by"], stored["created_by_id"], stored["updated_by_id"]) == ("박서연", identity, identity)
    assert "seoyeon@example.com" not in str(stored)  # the identity is never the e-mail

    by_token = http.put(f"{url}/api/events/{event['id']}", json={"title": "기획 회의 (변경)"}, timeout=10).json()
    assert (by_token["created_by"], by_token["created_by_id"], by_token["updated_by"]) == ("박서연", identity, ADMIN_NAME)
    assert "updated_by_id" not in by_token and "updated_by_id" not in db.get_event_item(event["id"])
    renamed = http.patch(f"{url}/api/departments/{department['id']}", json={"name": department["name"] + "2"}, timeout=10)
    assert renamed.json()["updated_by"] == ADMIN_NAME and "updated_by_id" not in renamed.json()
    assert renamed.json()["created_by_id"] == identity and db.get_department(department["id"])["created_by_id"] == identity


def test_a_personal_token_writes_as_its_person_and_an_operators_token_as_itself(served):
    provider, url, db = served
    department = http.post(f"{url}/api/departments", json={"name": f"영업부 {uuid.uuid4().hex[:6]}"}, timeout=10).json()
    assert "created_by_id" not in department and department["created_by"] == ADMIN_NAME
    sub = provider.add_person(["calendar-editors"], name="오태윤")
    browser = sign_in(url, sub)
    token = browser.post(f"{url}/api/tokens", json={"name": f"taeyoon-{uuid.uuid4().hex[:6]}"},
                         headers=_origin(url), timeout=10).json()["token"]
    desktop = {"Authorization": f"Bearer {token}"}
    event = requests.post(f"{url}/api/events/{department['id']}", json={"event_date": "2024-05-03", "title": "고객 방문"},
                          headers=desktop, timeout=10).json()
    assert (event["created_by"], event["created_by_id"]) == ("오태윤", f"{provider.issuer}#{sub}")
    assert db.get_event_item(event["id"])["updated_by_id"] == f"{provider.issuer}#{sub}"


def test_series_edits_and_deletes_carry_the_identity_and_a_tombstone_keeps_none(served):
    provider, url, db = served
    department = http.post(f"{url}/api/departments", json={"name": f"개발부 {uuid.uuid4().hex[:6]}"}, timeout=10).json()
    series = http.post(f"{url}/api/events/{department['id']}",
                       json={"event_date": "2024-05-06", "title": "주간 회의", "recurrence": WEEKLY}, timeout=10).json()
    sub = provider.add_person(["calendar-editors"], name="윤하나")
    identity = f"{provider.issuer}#{sub}"
    browser = sign_in(url, sub)
    one = browser.put(f"{url}/api/events/{series['id']}_20240513?scope=this", json={"title": "휴강"},
                      headers=_origin(url), timeout=10)
    assert one.status_code == 200, one.text
    assert (one.json()["updated_by"], one.json()["updated_by_id"], one.json()["created_by"]) == ("윤하나", identity, ADMIN_NAME)
    following = browser.put(f"{url}/api/events/{series['id']}_20240520?scope=following", json={"title": "새 회의"},
                            headers=_origin(url), timeout=10).json()
    assert (following["created_by"], following["created_by_id"]) == ("윤하나", identity)
    head = db.get_event_item(series["id"])
    assert (head["updated_by"], head["updated_by_id"], head["created_by"]) == ("윤하나", identity, ADMIN_NAME)
    assert "created_by_id" not in head
    assert http.delete(f"{url}/api/events/{following['id']}", timeout=10).status_code == 204
    tombstone = db.events.client.get_item(TableName=db.settings.events_table, ConsistentRead=True, Key={
        "id": {"S": following["id"]}, "department_id": {"S": department["id"]}})["Item"]
    assert "deleted" in tombstone and not {"created_by", "created_by_id", "updated_by_id"} & tombstone.keys()


def test_an_event_restored_from_the_trash_names_who_restored_it(served):
    provider, url, db = served
    department = http.post(f"{url}/api/departments", json={"name": f"총무부 {uuid.uuid4().hex[:6]}"}, timeout=10).json()
    sub = provider.add_person(["calendar-editors"], name="한지우")
    identity = f"{provider.issuer}#{sub}"
    browser = sign_in(url, sub)
    event = browser.post(f"{url}/api/events/{department['id']}", json={"event_date": "2024-05-07", "title": "비품 점검"},
                         headers=_origin(url), timeout=10).json()
    trash = f"{url}/api/departments/{department['id']}/trash/{event['id']}"
    assert http.delete(f"{url}/api/events/{event['id']}", timeout=10).status_code == 204
    by_person = browser.post(f"{trash}/restore", headers=_origin(url), timeout=10)
    assert by_person.status_code == 200, by_person.text
    assert (by_person.json()["updated_by"], by_person.json()["updated_by_id"]) == ("한지우", identity)
    assert browser.delete(f"{url}/api/events/{event['id']}", headers=_origin(url), timeout=10).status_code == 204
    by_token = http.post(f"{trash}/restore", timeout=10).json()
    assert by_token["updated_by"] == ADMIN_NAME and "updated_by_id" not in by_token  # not the last person's
    assert by_token["created_by_id"] == identity and "updated_by_id" not in db.get_event_item(event["id"])
