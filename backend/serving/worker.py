"""gunicorn's threaded worker, with the app's limits on slow clients and JSON for every error.

    worker_class = "serving.worker.ThreadWorker"   (backend/gunicorn.conf.py, threading mode)

- Each request must arrive whole within REQUEST_READ_TIMEOUT seconds of the worker starting to
  read it (see serving.read_deadline); a client still sending headers then gets 408 JSON.
- The errors gunicorn answers itself, before the app sees the request (a request line over
  4094 bytes: 414, too many or too large headers: 431, a garbage request line: 400), are JSON
  `{"error", "message"}` like the app's, not gunicorn's HTML page.
"""
from __future__ import annotations

from gunicorn import util
from gunicorn.workers import gthread

from config import Settings
from serving.json_errors import error_response
from serving.read_deadline import DEADLINES, TIMEOUT_MESSAGE


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Replaces gunicorn.util.write_error (same signature): the error as the app's JSON shape."""
    util.write_nonblock(sock, error_response(status_int, reason, mesg))


class ThreadWorker(gthread.ThreadWorker):
    """gthread.ThreadWorker that arms a read deadline around every request it parses."""

    def init_process(self) -> None:
        self.read_timeout = Settings.from_env().request_read_timeout
        util.write_error = write_json_error  # gunicorn writes its own errors through this one function
        super().init_process()

    def handle(self, conn):
        DEADLINES.arm(conn.sock, self.read_timeout)
        try:
            return super().handle(conn)
        finally:
            deadline = DEADLINES.disarm(conn.sock)  # None once the app has read the request
            if deadline is not None and deadline.expired:
                self._answer_timeout(conn)

    def _answer_timeout(self, conn) -> None:
        # The request never reached the app (headers still coming): say why before closing.
        self.log.info("request from %s not received within %ss: closed", conn.client, self.read_timeout)
        try:
            util.write_nonblock(conn.sock, error_response(408, "Request Timeout", TIMEOUT_MESSAGE))
        except OSError:
            pass
