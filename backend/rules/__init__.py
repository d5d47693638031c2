"""What the calendar means, as pure code: recurrence (a series' lines read, checked and expanded,
within a budget of work), the days the service keeps and one listing may span, clock times read from
an event's free text, sync tokens, how timestamps are written, and a department's events as an
RFC 5545 calendar; an event's times checked against each other (event_times), the typed shapes of
an event and a department with one converter each (shapes), and what an edit of a series changes
(series_scope).

May import the standard library, python-dateutil, icalendar, `config` and the domain errors; nothing
of storage, the API or the contract, and never boto3, botocore, Flask or Flask-SocketIO, not even
through another backend module (tests/test_layout.py checks the last).
"""
