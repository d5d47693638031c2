"""What an edit of a series changes, by scope, computed without storage (rules/series_scope.py)."""
from __future__ import annotations

from datetime import date

import pytest

from errors import NotFound, PreconditionFailed, ValidationError
from rules import series_scope
from rules.actors import Actor, person
from rules.series_scope import AddException, PutNew, Recut, Remove, Replace
from rules.shapes import EXCEPTION_DATES, OVERRIDDEN_FIELDS, stored_event

NOW = "2024-02-01T00:00:00.000Z"
SERIES = stored_event({
    "id": "5f0c7a7e-0000-4000-8000-000000000001", "department_id": "5f0c7a7e-0000-4000-8000-0000000000d1",
    "event_date": "2024-01-01", "title": "주간 회의", "description": "", "time": "", "url": "",
    "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"], "created_at": "2024-01-01T00:00:00.000Z",
    "last_modified": "2024-01-01T00:00:00.000Z", "version": 3, "created_by": "t", "updated_by": "t",
})
SECOND = date(2024, 1, 8)
EDITOR = Actor("editor")
KIM = person("김민지", "https://idp.example.com/realms/acme", "kim-subject")


def test_an_occurrence_changed_alone_becomes_an_exception_the_series_lists():
    plan = series_scope.edit_this(SERIES, SECOND, {"title": "휴강"}, 3, EDITOR, NOW)
    (put, added), = plan.groups
    assert isinstance(put, PutNew) and isinstance(added, AddException) and added.day == "2024-01-08"
    assert put.item["id"] == f"{SERIES['id']}_20240108" and put.item[OVERRIDDEN_FIELDS] == ["title"]
    assert plan.edit.answer["title"] == "휴강" and plan.edit.answer["version"] == 4


def test_this_and_following_ends_the_series_and_starts_a_new_one_with_the_changes():
    plan = series_scope.edit_following(SERIES, [], date(2024, 1, 15), {"title": "새 회의"}, None, EDITOR, NOW, "new")
    (cut, put), = plan.groups
    assert isinstance(cut, Recut) and cut.last_date == "2024-01-08"
    assert put.item["id"] == "new" and put.item["event_date"] == "2024-01-15" and put.item["title"] == "새 회의"
    assert [e["id"] for e in plan.edit.created] == ["new"] and plan.edit.updated[0]["version"] == 4


def test_deleting_the_whole_series_removes_it_and_each_exception():
    exception = {**SERIES, "id": f"{SERIES['id']}_20240108", "original_date": "2024-01-08", "version": 1}
    plan = series_scope.delete_all({**SERIES, EXCEPTION_DATES: {"2024-01-08"}}, [exception], 3)
    assert [[type(w) for w in group] for group in plan.groups] == [[Remove], [Remove]]
    assert [e["id"] for e in plan.edit.deleted] == [SERIES["id"], exception["id"]]


def test_a_whole_series_edit_is_one_replacement_conditioned_on_the_series_as_read():
    plan = series_scope.rewrite_series(SERIES, [], {"time": "오후 2:00"}, None, EDITOR, NOW)
    (replace,), = plan.groups
    assert isinstance(replace, Replace) and replace.read is SERIES and replace.item["version"] == 4


@pytest.mark.parametrize(("call", "error"), [
    (lambda: series_scope.target(SERIES, f"{SERIES['id']}_20240109", None), NotFound),  # no occurrence that day
    (lambda: series_scope.edit_this(SERIES, SECOND, {}, 2, EDITOR, NOW), PreconditionFailed),
    (lambda: series_scope.check_one_occurrence({"recurrence": ["RRULE:FREQ=DAILY"]}), ValidationError),
    (lambda: series_scope.cut({**SERIES, "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=1"]}, date(2024, 1, 1), None, None,
                              EDITOR, NOW, keep_day=False), ValidationError),  # no occurrence left
])
def test_what_an_edit_may_not_do_is_refused_before_any_write(call, error):
    with pytest.raises(error):
        call()


def test_each_write_names_who_made_it_and_a_persons_identity_beside_the_name_never_a_tokens():
    by_kim = {**SERIES, "created_by": "김민지", "updated_by": "김민지", "created_by_id": KIM.identity,
              "updated_by_id": KIM.identity}
    by_token = series_scope.rewrite_series(by_kim, [], {"time": "오후 2:00"}, None, EDITOR, NOW).groups[0][0].item
    assert (by_token["created_by_id"], by_token["updated_by"]) == (KIM.identity, "editor")
    assert "updated_by_id" not in by_token  # the last change is the token's, not Kim's
    plan = series_scope.edit_following(SERIES, [], date(2024, 1, 15), {"title": "새 회의"}, None, KIM, NOW, "new")
    cut, put = plan.groups[0]
    assert put.item["created_by"] == put.item["updated_by"] == "김민지"
    assert put.item["created_by_id"] == put.item["updated_by_id"] == "https://idp.example.com/realms/acme#kim-subject"
    assert cut.after["updated_by_id"] == KIM.identity and cut.after["created_by"] == "t" and "created_by_id" not in cut.after
