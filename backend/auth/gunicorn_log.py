"""gunicorn's logger with tokens redacted from the access log (backend/gunicorn.conf.py uses it)."""
from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from auth.redact import redact


class RedactingGunicornLogger(Logger):
    """The access-log atoms that can hold a URL (request line, path, query, referer) are redacted."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "f", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
