"""A hard limit on the time the app may spend on one request (REQUEST_HARD_TIMEOUT_SECONDS): past
it the request is stopped, answered 503 JSON, and the worker recycled (it stops taking requests,
finishes the others and exits; gunicorn starts a fresh one), so a bug that spins or hangs costs
one request, not the process.

A real OS thread, the watchdog, notices a request over the limit and interrupts it where it runs:
- gevent: every greenlet shares the main thread, and one spinning on the CPU never yields, so no
  gevent timer could fire. The watchdog sends the main thread a signal; Python runs its handler
  there between two bytecodes of whatever runs: the handler raises in the request if that is
  what runs, and has the hub throw into it if it is waiting (on I/O, a lock, a sleep).
- gthread: PyThreadState_SetAsyncExc raises in the request's thread at its next bytecode; a thread
  blocked inside one C call (a socket read: DynamoDB's have timeouts) sees it when the call returns.
Code spinning inside one C call (a regular expression, a C extension) cannot be interrupted:
gunicorn's `timeout` then kills a gevent worker, without an answer (see gunicorn.conf.py).
RequestHardTimeout is a BaseException, so Flask's error handlers and `except Exception` let it
through to this module's middleware. Socket.IO's requests (a WebSocket lives for hours) are exempt.
"""
from __future__ import annotations

import ctypes
import itertools
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from serving.json_errors import error_body
from serving.oversized import CLOSE_KEY

log = logging.getLogger(__name__)

EXEMPT_PREFIXES = ("/socket.io",)
REPEAT_SECONDS = 1.0  # a request still running this long after its interruption is interrupted again
INTERRUPT_SIGNAL = signal.SIGURG  # ignored by default, like Go's runtime uses it to preempt goroutines


class RequestHardTimeout(BaseException):
    """Raised inside a request that ran past the hard limit."""


@dataclass
class Running:
    started: float
    target: Any  # what runs the request: a thread id (gthread) or a greenlet (gevent)
    interrupted: float | None = None


class Watchdog:
    """The requests being served, and the OS thread that interrupts those over the limit."""

    def __init__(self, seconds: float, interrupter: ThreadInterrupter | GreenletInterrupter):
        self.seconds = seconds
        self.interrupter = interrupter
        self._running: dict[int, Running] = {}
        self._keys = itertools.count()

    def start(self) -> Watchdog:
        self.interrupter.install(self)
        self.interrupter.start_thread(self._watch)
        return self

    def enter(self) -> int:
        key = next(self._keys)
        self._running[key] = Running(time.monotonic(), self.interrupter.current())
        return key

    def leave(self, key: int) -> None:
        self._running.pop(key, None)

    def overdue(self) -> list[Running]:
        limit = time.monotonic() - self.seconds
        return [running for running in list(self._running.values()) if running.started < limit]

    def _watch(self) -> None:
        interval = min(0.25, self.seconds / 4)
        while True:
            self.interrupter.sleep(interval)
            now = time.monotonic()
            due = [r for r in self.overdue() if r.interrupted is None or now - r.interrupted > REPEAT_SECONDS]
            for running in due:
                running.interrupted = now
            if due:
                self.interrupter.interrupt(due)


class ThreadInterrupter:
    """gthread: raise in the request's own thread."""

    def current(self) -> int:
        return threading.get_ident()

    def install(self, watchdog: Watchdog) -> None:
        pass

    def start_thread(self, target: Callable[[], None]) -> None:
        threading.Thread(target=target, name="hard-limit", daemon=True).start()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def interrupt(self, due: list[Running]) -> None:
        for running in due:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(running.target),
                                                       ctypes.py_object(RequestHardTimeout))


class GreenletInterrupter:
    """gevent: signal the main thread; its handler raises in (or throws into) the request's greenlet."""

    def __init__(self) -> None:
        from gevent import monkey

        self._ident = monkey.get_original("_thread", "get_ident")()  # the main thread: init_process runs there
        self._start_new_thread = monkey.get_original("_thread", "start_new_thread")
        self._sleep = monkey.get_original("time", "sleep")
        self._watchdog: Watchdog | None = None

    def current(self) -> Any:
        import gevent

        return gevent.getcurrent()

    def install(self, watchdog: Watchdog) -> None:
        from gevent import monkey

        self._watchdog = watchdog
        monkey.get_original("signal", "signal")(INTERRUPT_SIGNAL, self._on_signal)

    def start_thread(self, target: Callable[[], None]) -> None:
        self._start_new_thread(target, ())  # a real OS thread: it runs while a greenlet spins

    def sleep(self, seconds: float) -> None:
        self._sleep(seconds)

    def interrupt(self, due: list[Running]) -> None:
        signal.pthread_kill(self._ident, INTERRUPT_SIGNAL)

    def _on_signal(self, signum: int, frame: Any) -> None:
        import gevent

        current = gevent.getcurrent()
        overdue = self._watchdog.overdue() if self._watchdog else []
        for running in overdue:
            if running.target is not current:
                gevent.kill(running.target, RequestHardTimeout)  # waiting: the hub throws into it
        if any(running.target is current for running in overdue):
            raise RequestHardTimeout


MESSAGE = ("The request ran past the server's limit of {seconds:g} s and was stopped; it may or may "
           "not have taken effect. The server is restarting its worker; retry in a moment.")


class HardLimit:
    """WSGI middleware: the app's requests run under the watchdog; one stopped is answered 503
    and `on_timeout` (the worker's recycle) is called."""

    def __init__(self, app, watchdog: Watchdog, on_timeout: Callable[[], None]):
        self.app = app
        self.watchdog = watchdog
        self.on_timeout = on_timeout

    def __call__(self, environ: dict, start_response):
        if environ.get("PATH_INFO", "").startswith(EXEMPT_PREFIXES):
            return self.app(environ, start_response)
        key = self.watchdog.enter()
        try:
            return self.app(environ, start_response)
        except RequestHardTimeout:
            self.watchdog.leave(key)
            log.error("%s %s ran past the hard limit of %gs: answered 503, the worker restarts",
                      environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), self.watchdog.seconds, exc_info=True)
            self.on_timeout()
            if CLOSE_KEY in environ:
                environ[CLOSE_KEY]()  # this worker is on its way out
            return self._answer(start_response)
        finally:
            self.watchdog.leave(key)

    def _answer(self, start_response) -> list[bytes]:
        body = error_body("Request Time Limit", MESSAGE.format(seconds=self.watchdog.seconds))
        # exc_info: the 503 replaces an answer the app had started but not sent
        start_response("503 Service Unavailable", [("Content-Type", "application/json"),
                                                   ("Content-Length", str(len(body))), ("Retry-After", "1")],
                       sys.exc_info())
        return [body]
