"""Liveness and readiness probes for load balancers and operators."""
from __future__ import annotations

from flask import Blueprint, jsonify

import realtime
from api.errors import error_response
from database import get_db
from storage.aws_failures import AWS_ERRORS, CREATE_TABLES_HINT

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """200 when DynamoDB answers and both tables (and their GSIs) are ACTIVE, else 503 saying which;
    503 `sockets_full` while this process holds SOCKETIO_MAX_SOCKETS connections (so a load balancer
    sends new pages elsewhere; /healthz stays 200, the process is alive and serving)."""
    if realtime.admission.full:
        return error_response(503, "sockets_full",
                              f"this process holds its maximum of {realtime.admission.max_sockets} live connections")
    try:
        tables = get_db().table_statuses(probe=True)
    except AWS_ERRORS as exc:
        return error_response(503, "dynamodb_unavailable", f"DynamoDB did not answer: {exc}")
    not_ready = {name: status for name, status in tables.items() if status != "ACTIVE"}
    if not not_ready:
        return jsonify({"status": "ready", "tables": tables})
    listing = ", ".join(f"{name} is {status}" for name, status in not_ready.items())
    hint = f" {CREATE_TABLES_HINT}" if "MISSING" in not_ready.values() else ""
    return error_response(503, "not_ready", f"Tables not ready: {listing}.{hint}", tables=tables)
