"""HTTP: the calendar page staff open in a browser (`/`), its own files (`/page/<asset>`) and the
socket.io browser client from npm's socket.io-client (`/page/vendor/<asset>`, installed by `make`).

The page holds no data and needs no token: it is plain HTML, CSS and JavaScript modules that call
the REST API and Socket.IO with the user's token. It is served under the strict page CSP
(config.PAGE_CONTENT_SECURITY_POLICY): nothing inline, nothing from another origin.
"""
from __future__ import annotations

from flask import Blueprint, send_from_directory
from werkzeug.exceptions import NotFound

from config import BACKEND_DIR, PROJECT_DIR
from contract.routes import PAGE_VENDOR_ASSETS

WEB_DIR = BACKEND_DIR / "web"
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
SOCKET_IO_CLIENT_DIR = PROJECT_DIR / "node_modules" / "socket.io-client" / "dist"
# The page changes with each deploy: browsers revalidate (ETag) instead of running a stale copy.
REVALIDATE = 0

bp = Blueprint("page", __name__)


@bp.get("/")
def calendar_page():
    """The page, always whole (200): a 304 carries no Content-Type, so serving/security_headers.py would give it
    the API's CSP, and browsers would apply that to the cached page (nothing of it would load)."""
    response = send_from_directory(TEMPLATES_DIR, "index.html", conditional=False, etag=False)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/page/<asset>")
def page_asset(asset: str):
    """One of the page's own files (backend/web/static); 404 for anything else."""
    return send_from_directory(STATIC_DIR, asset, max_age=REVALIDATE)


@bp.get("/page/vendor/<asset>")
def vendor_asset(asset: str):
    """The socket.io browser client (ES module) from node_modules; 404 for any other name."""
    if asset not in PAGE_VENDOR_ASSETS:
        raise NotFound(f"no page file named {asset!r}")
    return send_from_directory(SOCKET_IO_CLIENT_DIR, asset, max_age=3600)
