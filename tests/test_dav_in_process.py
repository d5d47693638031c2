"""A CalDAV series PUT through the app in this process, where its DynamoDB calls can be counted:
the series and its changed occurrences are ONE TransactWriteItems with their history entries (all
written or none), as the API's scopes write them, and the permission recorder sees those calls checked against the IAM
policy (the live-server tests in test_dav_series_writes.py prove what a client sees)."""
from __future__ import annotations

import uuid

from support.dav_helpers import vcalendar

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def _series(uid: str, overrides: dict[str, str]) -> bytes:
    """A weekly series from Wednesday 2024-01-03, with changed occurrences {YYYYMMDD: title}."""
    body = vcalendar(uid, "주간 점검", "20240103T090000", "20240103T100000", extra="RRULE:FREQ=WEEKLY;COUNT=4").decode()
    for day, title in overrides.items():
        vevent = vcalendar(uid, title, f"{day}T110000", f"{day}T120000",
                           extra=f"RECURRENCE-ID;TZID=Asia/Seoul:{day}T090000").decode()
        body = body.replace("END:VCALENDAR\r\n", vevent[vevent.index("BEGIN:VEVENT"):])
    return body.encode()


def test_a_series_put_is_one_transaction_of_the_series_and_its_changed_occurrences(client, db, settings,
                                                                                   make_department):
    department = make_department()
    writes: list[tuple[str, int]] = []

    def record(params, model, **_):
        if model.name in WRITES and params.get("TableName", settings.events_table) == settings.events_table:
            writes.append((model.name, len(params.get("TransactItems", []))))

    db.client.meta.events.register("before-parameter-build.dynamodb", record)
    uid = str(uuid.uuid4())
    path = f"/dav/calendars/{department['id']}/{uid}.ics"
    created = client.put(path, data=_series(uid, {"20240110": "옮김", "20240117": "또 옮김"}),
                         content_type="text/calendar")
    assert created.status_code == 201, created.get_data(as_text=True)
    # The department checked; the series and two changed occurrences, each with its history entry.
    assert writes == [("TransactWriteItems", 1 + 2 * 3)]

    writes.clear()  # the 10th's change dropped by the client, the 17th's retitled
    changed = client.put(path, data=_series(uid, {"20240117": "다시 옮김"}), content_type="text/calendar")
    assert changed.status_code == 204, changed.get_data(as_text=True)
    # The series' exception dates, the 17th, the 10th removed: each with its history entry.
    assert writes == [("TransactWriteItems", 2 * 3)]
    listed = client.get(f"/api/events/{department['id']}?from=2024-01-01&to=2024-01-31").get_json()
    assert [(e["event_date"], e["title"]) for e in listed] == [
        ("2024-01-03", "주간 점검"), ("2024-01-10", "주간 점검"), ("2024-01-17", "다시 옮김"), ("2024-01-24", "주간 점검")]
