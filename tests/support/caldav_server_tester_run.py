"""caldav-server-tester's command line, run by tests/test_dav_server_tester.py with the Python of
.venv-davtester (not the project's: nothing here imports the project).

One fix, for a server with neither VTODO nor MKCALENDAR: after the server refuses a task (403,
CALDAV:supported-calendar-component), 1.7.0's PrepareCalendar asks for a task calendar with
MKCALENDAR outside its error handling, so the refusal stops the whole run and every later check.
Here that refusal grades `save-load.todo` unsupported, as the tester grades a task it could not
save, and the run goes on."""
from __future__ import annotations

from caldav.lib.error import DAVError
from caldav_server_tester import checks
from caldav_server_tester.caldav_server_tester import check_server_compatibility

_prepare_task_calendar = checks.PrepareCalendar._prepare_task_calendar


def _without_a_task_calendar(self, cal_id, name, add_if_not_existing):
    try:
        return _prepare_task_calendar(self, cal_id, name, add_if_not_existing)
    except DAVError:
        self.set_feature("save-load.todo", False)
        return False


checks.PrepareCalendar._prepare_task_calendar = _without_a_task_calendar

if __name__ == "__main__":
    check_server_compatibility()
