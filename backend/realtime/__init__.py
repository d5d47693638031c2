"""Socket.IO: department rooms, and the one place that emits to them.

Contract (default namespace): a connection needs a token (auth payload `{"token": ...}` or
`Authorization: Bearer`), else it is refused; a revoked token's sockets are disconnected within
AUTH_CACHE_SECONDS (auth/sockets.py). `join_department` / `leave_department` `{"department_id"}` are
acknowledged with `{"ok": true, "department_id"}` or `{"ok": false, "error", "message"}`.
After a stored write, `event_created` / `event_updated` (the event as GET returns it) and
`event_deleted` (`{"id", "department_id"}`) go to the department's room only;
`department_created` and `department_updated` (the department as GET returns it) and
`department_deleted` (`{"id"}`) go to every socket whose token covers every department, and to
the department's room. `company_day_added` (the company day as POST answers it) and
`company_day_removed` (`{"date"}`) go to every socket: company days are everyone's.
Deleting a department sends that one `department_deleted`, not an `event_deleted` per event:
clients drop the department's events themselves.

Who may open a socket at all (the limits per process and per address, the time to authenticate) is
realtime/admission.py's; how gevent serves sockets cheaply is realtime/lean_websocket.py's.

With SOCKETIO_MESSAGE_QUEUE every instance publishes through Redis and delivers to its own
sockets, so a write on one instance reaches sockets on all of them.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

import socketio as python_socketio
from flask import Flask, current_app, request
from flask_socketio import SocketIO, join_room, leave_room, rooms

import auth.sockets
from config import Settings
from database import get_db
from errors import DynamoDBStalled, NotFound
from models import DynamoDBDatabase
from observability import metrics
from realtime.admission import Admission, AdmissionGate, watch_engine
from realtime.socketio_paths import SocketIOPathsOnly
from serving.cors import OriginPolicy
from serving.websocket import use_quiet_close
from storage.aws_failures import AWS_ERRORS
from storage.stall_budget import stall_budget

log = logging.getLogger(__name__)

socketio = SocketIO()
# This process's Engine.IO sessions and their limits (realtime/admission.py); set by init_app.
admission = Admission(Settings.socketio_max_sockets, Settings.socketio_max_sockets_per_address,
                      Settings.socketio_auth_timeout_seconds)

# Flask-SocketIO's default channel; every instance of one deployment must use the same.
QUEUE_CHANNEL = "flask-socketio"
# An unreachable Redis must not hold a REST write for the OS connect timeout (minutes).
REDIS_CONNECT_TIMEOUT = 2


class DeletionAwareRedisManager(python_socketio.RedisManager):
    """Redis fan-out that also makes this process forget a department any instance deleted, so
    its cached "the department exists" ends with the `department_deleted` broadcast."""

    def __init__(self, url: str, db: DynamoDBDatabase, **kwargs: Any):
        super().__init__(url, **kwargs)
        self._db = db

    def _handle_emit(self, message: dict[str, Any]) -> None:
        # Runs on every instance for each emit, the sender's included (python-socketio's PubSubManager).
        if message.get("event") == "department_deleted":
            payload = (message.get("data") or [None])[0]
            if isinstance(payload, dict) and isinstance(payload.get("id"), str):
                self._db.forget_department(payload["id"])
        super()._handle_emit(message)


def init_app(app: Flask, settings: Settings, db: DynamoDBDatabase) -> None:
    """Bind `socketio` to the app with the async mode, message queue and CORS origins."""
    queue = settings.socketio_message_queue
    # `socketio` is one object per process and keeps the options of earlier init_app calls, so
    # every call states its queue. Other schemes (kombu, kafka, zmq): Flask-SocketIO picks one.
    options: dict[str, Any] = {"message_queue": queue}
    if queue is None:
        options["client_manager"] = None
    elif queue.startswith(("redis://", "rediss://")):
        options["client_manager"] = DeletionAwareRedisManager(
            queue, db, channel=QUEUE_CHANNEL,
            redis_options={"socket_connect_timeout": REDIS_CONNECT_TIMEOUT},
        )
    # Left to themselves the libraries add a handler of their own (every line printed twice next
    # to ours) and can log each packet at INFO: route them through our logging, warnings and up.
    library_loggers = {}
    for option, name in (("logger", "socketio.server"), ("engineio_logger", "engineio.server")):
        library_loggers[option] = logging.getLogger(name)
        if library_loggers[option].level == logging.NOTSET:
            library_loggers[option].setLevel(logging.WARNING)
    app.config["SOCKETIO_MAX_ROOMS_PER_SOCKET"] = settings.socketio_max_rooms_per_socket
    flask_wsgi_app = app.wsgi_app
    socketio.init_app(
        app,
        **library_loggers,
        async_mode=settings.socketio_async_mode,
        cors_allowed_origins=OriginPolicy(settings.cors_allowed_origins),  # the REST allowlist too
        max_http_buffer_size=settings.socketio_max_message_bytes,
        # One socket's events run one after another in its own reader, not each in a new thread:
        # a socket flooding joins occupies itself, not the process (nor DynamoDB) for the others.
        async_handlers=False,
        manage_session=False,  # no cookie sessions here (app.NoSessions): no session copy per socket
        **options,
    )
    app.wsgi_app = SocketIOPathsOnly(app.wsgi_app, flask_wsgi_app)
    metrics.count_sockets_with(connected_sockets)
    use_quiet_close(socketio.server.eio)
    _serve_sockets(app, settings)
    _admit(app, settings)


def _serve_sockets(app: Flask, settings: Settings) -> None:
    if settings.socketio_async_mode == "gevent":
        from realtime import lean_websocket  # imports gevent: only in gevent mode

        app.wsgi_app = lean_websocket.FairWebSocketReads(app.wsgi_app)
        lean_websocket.serve_lean(socketio.server.eio)


def _admit(app: Flask, settings: Settings) -> None:
    """Admission control around Socket.IO (realtime/admission.py), on this process's one `admission`."""
    admission.max_sockets = settings.socketio_max_sockets
    admission.max_per_address = settings.socketio_max_sockets_per_address
    admission.auth_timeout = settings.socketio_auth_timeout_seconds
    watch_engine(socketio.server.eio, admission, socketio.start_background_task, socketio.sleep)
    metrics.count_engine_sessions_with(lambda: admission.sessions)
    app.wsgi_app = AdmissionGate(app.wsgi_app, admission)


def connected_sockets() -> int:
    """Socket.IO clients connected to this process (every namespace)."""
    server = socketio.server
    if server is None:
        return 0
    manager = server.manager
    return sum(len(list(manager.get_participants(ns, None))) for ns in list(manager.get_namespaces()))


def listen_to_other_instances() -> None:
    """Subscribe to the message queue now, not at the first socket connection (python-socketio's
    default), so an instance hears every `department_deleted` even while no browser is connected."""
    server = socketio.server
    if server is not None and not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


BAD_PAYLOAD = 'send {"department_id": "<uuid>"}'
# Sockets whose token covers every department: they hear of every department created and deleted.
ALL_DEPARTMENTS_ROOM = "departments:all"


DEPARTMENT_ROOM_PREFIX = "department:"


def department_room(department_id: str) -> str:
    return f"{DEPARTMENT_ROOM_PREFIX}{department_id}"


@socketio.on("connect")
def on_connect(auth_payload: Any = None) -> None:
    """Refuse a socket without a valid token (ConnectionRefusedError); an unscoped one joins
    ALL_DEPARTMENTS_ROOM."""
    principal = auth.sockets.authenticate(auth_payload, request.sid, socketio)
    admission.authenticated(socketio.server.manager.eio_sid_from_sid(request.sid, request.namespace))
    if principal.departments is None:
        join_room(ALL_DEPARTMENTS_ROOM)
    _travel_light(request.environ)


# What a socket's events need of the WSGI environ it connected with (python-socketio keeps it for
# the socket's whole life): Flask builds each event's request from these; headers were for connect.
_KEPT_HEADERS = frozenset({"HTTP_HOST", "HTTP_ORIGIN"})


def _travel_light(environ: dict[str, Any]) -> None:
    """Drop from a connected socket's environ what its later events never read (a few KB a socket)."""
    for key in [k for k in environ if k.startswith("HTTP_") and k not in _KEPT_HEADERS]:
        del environ[key]
    _forget_request(environ)


def _forget_request(environ: dict[str, Any]) -> None:
    # Werkzeug leaves each request in its environ: for a socket, the last event's, until it closes.
    environ.pop("werkzeug.request", None)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    auth.sockets.forget(request.sid)


def _department_id_from(payload: Any) -> str | None:
    """The canonical UUID string in {"department_id": ...}, or None when malformed."""
    if not isinstance(payload, dict) or not isinstance(payload.get("department_id"), str):
        return None
    try:
        return str(uuid.UUID(payload["department_id"]))
    except ValueError:
        return None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": code, "message": message}


def _checked_department(payload: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(department_id, None) for an existing department, else (id or None, the error ack)."""
    department_id = _department_id_from(payload)
    if department_id is None:
        return None, _error("validation_error", BAD_PAYLOAD)
    db = get_db()
    try:
        with stall_budget(db.settings.dynamodb_stall_seconds):
            db.get_department(department_id)
    except NotFound as exc:
        return department_id, _error("not_found", str(exc))
    except (*AWS_ERRORS, DynamoDBStalled) as exc:
        log.warning("join/leave of department %s: DynamoDB did not answer: %s", department_id, exc)
        return department_id, _error("dynamodb_unavailable", "the department could not be checked; try again")
    return department_id, None


def _room_limit_reached(payload: Any) -> dict[str, Any] | None:
    """The refusal when joining one more room would pass SOCKETIO_MAX_ROOMS_PER_SOCKET, else None.

    Rejoining a room the socket is in is always fine; the check costs no DynamoDB read."""
    department_id = _department_id_from(payload)
    joined = [room for room in rooms() if room.startswith(DEPARTMENT_ROOM_PREFIX)]
    limit = current_app.config["SOCKETIO_MAX_ROOMS_PER_SOCKET"]
    if department_id is None or department_room(department_id) in joined or len(joined) < limit:
        return None
    return _error("too_many_rooms", f"a socket may be in at most {limit} department rooms; leave one first")


def _forbidden(payload: Any) -> dict[str, Any] | None:
    """The refusal when this socket's token may not see the department asked for, else None.

    Checked before any read: a scoped token learns nothing of other departments, not even existence."""
    principal = auth.sockets.principal_of(request.sid)
    wanted = _department_id_from(payload)
    if wanted is not None and (principal is None or not principal.can_see(wanted)):
        return _error("forbidden", f"this token is not allowed department {wanted}")
    return None


@socketio.on("join_department")
def on_join_department(payload: Any = None) -> dict[str, Any]:
    """Join the department's room; the ack says whether it worked (the socket stays either way)."""
    socketio.sleep(0)  # other sockets' work first: a socket's buffered events would otherwise run back to back
    refused = _room_limit_reached(payload)
    if refused:
        return refused
    forbidden = _forbidden(payload)
    if forbidden:
        return forbidden
    department_id, error = _checked_department(payload)
    if error:
        return error
    join_room(department_room(department_id))
    _forget_request(request.environ)
    return {"ok": True, "department_id": department_id}


@socketio.on("leave_department")
def on_leave_department(payload: Any = None) -> dict[str, Any]:
    """Leave the department's room; like join, the ack refuses a malformed, forbidden or unknown id.

    The socket leaves the room even then, so the room of a department deleted meanwhile is left.
    """
    forbidden = _forbidden(payload)
    if forbidden:
        return forbidden
    department_id, error = _checked_department(payload)
    if department_id is not None:
        leave_room(department_room(department_id))
    _forget_request(request.environ)
    return error or {"ok": True, "department_id": department_id}


def _emit(name: str, payload: dict[str, Any], room: str | list[str] | None = None) -> None:
    # A broken message queue must not turn a stored write into an error for the client.
    try:
        socketio.emit(name, payload, to=room)
    except Exception:
        metrics.broadcast_failed(name)
        log.exception("could not broadcast %s (the write itself succeeded)", name)
    else:
        metrics.broadcast_sent(name)


def event_created(event: dict[str, Any]) -> None:
    """To the department's room: the stored event, as GET returns it."""
    _emit("event_created", event, department_room(event["department_id"]))


def event_updated(event: dict[str, Any]) -> None:
    """To the department's room: the whole updated event."""
    _emit("event_updated", event, department_room(event["department_id"]))


def event_deleted(event: dict[str, Any]) -> None:
    """To the department's room: `{"id", "department_id"}` of the deleted event."""
    payload = {"id": event["id"], "department_id": event["department_id"]}
    _emit("event_deleted", payload, department_room(event["department_id"]))


def _department_audience(department_id: str) -> list[str]:
    # A list of rooms reaches each socket once, however many of them it is in.
    return [ALL_DEPARTMENTS_ROOM, department_room(department_id)]


def department_created(department: dict[str, Any]) -> None:
    """To every unscoped socket: the new department."""
    _emit("department_created", department, _department_audience(department["id"]))


def department_updated(department: dict[str, Any]) -> None:
    """To every unscoped socket and the department's room: the renamed or re-described department,
    as GET returns it."""
    _emit("department_updated", department, _department_audience(department["id"]))


def department_deleted(department_id: str) -> None:
    """One `department_deleted` to every unscoped socket and the department's room, not one per event."""
    _emit("department_deleted", {"id": department_id}, _department_audience(department_id))


def company_day_added(day: dict[str, Any]) -> None:
    """To every socket: the company day as stored (POST /api/company-days answers it)."""
    _emit("company_day_added", day)


def company_day_removed(day: str) -> None:
    """To every socket: `{"date"}` of the company day removed."""
    _emit("company_day_removed", {"date": day})
