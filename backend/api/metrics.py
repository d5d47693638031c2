"""`GET /metrics`: this process's Prometheus metrics (observability/metrics.py), for scrapers."""
from __future__ import annotations

from flask import Blueprint, Response

from observability import metrics

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def prometheus_metrics():
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)
