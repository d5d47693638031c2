"""Socket.IO: department rooms, and the one place that emits to them.

Contract (default namespace): `join_department` / `leave_department` `{"department_id"}` are
acknowledged with `{"ok": true, "department_id"}` or `{"ok": false, "error", "message"}`.
After a stored write, `event_created` / `event_updated` (the event as GET returns it) and
`event_deleted` (`{"id", "department_id"}`) go to the department's room only;
`department_created` (the department) and `department_deleted` (`{"id"}`) go to every socket.
Deleting a department sends that one `department_deleted`, not an `event_deleted` per event:
clients drop the department's events themselves.

With SOCKETIO_MESSAGE_QUEUE every instance publishes through Redis and delivers to its own
sockets, so a write on one instance reaches sockets on all of them.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

import socketio as python_socketio
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask
from flask_socketio import SocketIO, join_room, leave_room

from config import Settings
from database import get_db
from models import DynamoDBDatabase, NotFound
from serving.websocket import use_quiet_close
from stall_budget import DynamoDBStalled, stall_budget

log = logging.getLogger(__name__)

socketio = SocketIO()

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
    socketio.init_app(
        app,
        **library_loggers,
        async_mode=settings.socketio_async_mode,
        cors_allowed_origins=list(settings.cors_allowed_origins) or None,
        **options,
    )
    use_quiet_close(socketio.server.eio)


def listen_to_other_instances() -> None:
    """Subscribe to the message queue now, not at the first socket connection (python-socketio's
    default), so an instance hears every `department_deleted` even while no browser is connected."""
    server = socketio.server
    if server is not None and not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


BAD_PAYLOAD = 'send {"department_id": "<uuid>"}'


def department_room(department_id: str) -> str:
    return f"department:{department_id}"


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
    except (BotoCoreError, ClientError, DynamoDBStalled) as exc:
        log.warning("join/leave of department %s: DynamoDB did not answer: %s", department_id, exc)
        return department_id, _error("dynamodb_unavailable", "the department could not be checked; try again")
    return department_id, None


@socketio.on("join_department")
def on_join_department(payload: Any = None) -> dict[str, Any]:
    """Join the department's room; the ack says whether it worked (the socket stays either way)."""
    department_id, error = _checked_department(payload)
    if error:
        return error
    join_room(department_room(department_id))
    return {"ok": True, "department_id": department_id}


@socketio.on("leave_department")
def on_leave_department(payload: Any = None) -> dict[str, Any]:
    """Leave the department's room; like join, the ack refuses a malformed or unknown id.

    The socket leaves the room even then, so the room of a department deleted meanwhile is left.
    """
    department_id, error = _checked_department(payload)
    if department_id is not None:
        leave_room(department_room(department_id))
    return error or {"ok": True, "department_id": department_id}


def _emit(name: str, payload: dict[str, Any], room: str | None = None) -> None:
    # A broken message queue must not turn a stored write into an error for the client.
    try:
        socketio.emit(name, payload, to=room)
    except Exception:
        log.exception("could not broadcast %s (the write itself succeeded)", name)


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


def department_created(department: dict[str, Any]) -> None:
    """To every socket: the new department."""
    _emit("department_created", department)


def department_deleted(department_id: str) -> None:
    """One `department_deleted` to every socket (its room members included), not one per event."""
    _emit("department_deleted", {"id": department_id})
