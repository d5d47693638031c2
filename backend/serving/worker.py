"""gunicorn's workers (gthread and gevent), with the app's limits and JSON for every error.

    worker_class = "serving.worker.GeventWorker"   (backend/gunicorn.conf.py, gevent mode)
    worker_class = "serving.worker.ThreadWorker"   (threading mode)

- Each request must arrive whole within REQUEST_READ_TIMEOUT seconds of the worker starting to
  read it (see serving.read_deadline); a client still sending headers then gets 408 JSON.
- The errors gunicorn answers itself, before the app sees the request (a request line over
  4094 bytes: 414, too many or too large headers: 431, a garbage request line: 400), are JSON
  `{"error", "message"}` like the app's, not gunicorn's HTML page.
- A request running past REQUEST_HARD_TIMEOUT_SECONDS is stopped with 503 JSON and the worker
  recycled (see serving.hard_limit).
"""
from __future__ import annotations

import gevent
from gunicorn import util
from gunicorn.workers import ggevent, gthread

from config import Settings
from serving.gevent_reading import RequestReading
from serving.hard_limit import GreenletInterrupter, HardLimit, ThreadInterrupter, Watchdog
from serving.json_errors import closing_response_bytes
from serving.lingering import finish_sending
from serving.oversized import offer_close
from serving.read_deadline import DEADLINES, TIMEOUT_MESSAGE


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Replaces gunicorn.util.write_error (same signature): the error as the app's JSON shape,
    then a close that lets the client read it (gunicorn answers before reading the request whole)."""
    util.write_nonblock(sock, closing_response_bytes(status_int, reason, mesg))
    finish_sending(sock)


class LimitedWorker:
    """What both workers add to gunicorn's: JSON errors, the read timeout, the hard limit."""

    def init_process(self) -> None:
        settings = Settings.from_env()
        self.read_timeout = settings.request_read_timeout
        self.hard_timeout = settings.request_hard_timeout_seconds
        util.write_error = write_json_error  # gunicorn writes its own errors through this one function
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = offer_close(self.wsgi)
        if self.hard_timeout > 0:
            watchdog = Watchdog(self.hard_timeout, self.interrupter()).start()
            self.wsgi = HardLimit(self.wsgi, watchdog, self.recycle)

    def recycle(self) -> None:
        """Stop taking requests, finish the others and exit: gunicorn starts a fresh worker."""
        self.log.warning("a request ran past the hard limit: worker %s exits, gunicorn starts another", self.pid)
        self.alive = False


class ThreadWorker(LimitedWorker, gthread.ThreadWorker):
    """gthread.ThreadWorker that arms a read deadline around every request it parses."""

    def interrupter(self) -> ThreadInterrupter:
        return ThreadInterrupter()

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
            util.write_nonblock(conn.sock, closing_response_bytes(408, "Request Timeout", TIMEOUT_MESSAGE))
        except OSError:
            pass


class GeventWorker(LimitedWorker, ggevent.GeventWorker):
    """gunicorn's gevent worker whose connections read under the request's read deadline."""

    def init_process(self) -> None:
        self._reading: dict = {}  # handler greenlet -> the connection it serves
        super().init_process()

    def interrupter(self) -> GreenletInterrupter:
        return GreenletInterrupter()

    def handle(self, listener, client, addr):
        conn = self._reading[gevent.getcurrent()] = RequestReading(client, self.read_timeout)
        try:
            super().handle(listener, conn, addr)
        finally:
            del self._reading[gevent.getcurrent()]

    def handle_request(self, listener_name, req, sock, addr):
        sock.request_begun()
        return super().handle_request(listener_name, req, sock, addr)

    def timeout_ctx(self):
        """gunicorn's keepalive timer while the connection waits for its next request."""
        idle = super().timeout_ctx()
        conn = self._reading.get(gevent.getcurrent())
        if conn is not None:
            conn.await_request(idle)
        return idle
