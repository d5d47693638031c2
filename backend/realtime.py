"""Socket.IO: department rooms, and the one place that emits to them."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import current_app
from flask_socketio import SocketIO, join_room, leave_room

from models import NotFound

log = logging.getLogger(__name__)

socketio = SocketIO()


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


def _room_request(payload: Any, action) -> dict[str, Any]:
    department_id = _department_id_from(payload)
    if department_id is None:
        return {"ok": False, "error": "validation_error",
                "message": 'send {"department_id": "<uuid>"}'}
    try:
        current_app.extensions["calendar_db"].get_department(department_id)
    except NotFound as exc:
        return {"ok": False, "error": "not_found", "message": str(exc)}
    action(department_room(department_id))
    return {"ok": True, "department_id": department_id}


@socketio.on("join_department")
def on_join_department(payload=None):
    return _room_request(payload, join_room)


@socketio.on("leave_department")
def on_leave_department(payload=None):
    department_id = _department_id_from(payload)
    if department_id is None:
        return {"ok": False, "error": "validation_error",
                "message": 'send {"department_id": "<uuid>"}'}
    # Leaving works for a department deleted meanwhile: the room outlives it.
    leave_room(department_room(department_id))
    return {"ok": True, "department_id": department_id}


def _emit(name: str, payload: dict[str, Any], room: str | None = None) -> None:
    # A broken message queue must not turn a stored write into an error for the client.
    try:
        socketio.emit(name, payload, to=room)
    except Exception:
        log.exception("could not broadcast %s (the write itself succeeded)", name)


def event_created(event: dict[str, Any]) -> None:
    _emit("event_created", event, department_room(event["department_id"]))


def event_updated(event: dict[str, Any]) -> None:
    _emit("event_updated", event, department_room(event["department_id"]))


def event_deleted(event: dict[str, Any]) -> None:
    payload = {"id": event["id"], "department_id": event["department_id"]}
    _emit("event_deleted", payload, department_room(event["department_id"]))


def department_created(department: dict[str, Any]) -> None:
    _emit("department_created", department)


def department_deleted(department_id: str) -> None:
    """One `department_deleted` to every socket (its room members included), not one per event."""
    _emit("department_deleted", {"id": department_id})
