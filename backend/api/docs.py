"""HTTP: the OpenAPI document (/api/openapi.json) and a documentation page (/api/docs) that works
offline: Swagger UI's files come from npm's swagger-ui-dist (installed by `make`), served here."""
from __future__ import annotations

from html import escape

from flask import Blueprint, Response, current_app, jsonify, send_from_directory, url_for
from werkzeug.exceptions import NotFound

from config import PROJECT_DIR
from contract.openapi import TITLE, document
from contract.routes import DOCS_ASSETS

SWAGGER_UI_DIR = PROJECT_DIR / "node_modules" / "swagger-ui-dist"

bp = Blueprint("docs", __name__, url_prefix="/api")

PAGE = """<!doctype html>
<html lang="ko">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{css}">
</head>
<body>
  <div id="swagger-ui" data-spec="{spec}"></div>
  <script src="{js}"></script>
  <script src="{initializer}"></script>
</body>
</html>
"""
# The page's CSP allows no inline script, so Swagger UI is started from a file of its own.
INITIALIZER_ASSET = "initializer.js"
INITIALIZER = ('window.ui = SwaggerUIBundle({url: document.getElementById("swagger-ui").dataset.spec, '
               'dom_id: "#swagger-ui", validatorUrl: null});\n')


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(document(current_app.config["SETTINGS"].sign_in))


@bp.get("/docs")
def docs_page():
    page = PAGE.format(title=escape(TITLE), spec=url_for(".openapi_document"),
                       css=url_for(".docs_asset", asset="swagger-ui.css"),
                       js=url_for(".docs_asset", asset="swagger-ui-bundle.js"),
                       initializer=url_for(".docs_asset", asset=INITIALIZER_ASSET))
    return Response(page, content_type="text/html; charset=utf-8")


@bp.get("/docs/<asset>")
def docs_asset(asset: str):
    """One of Swagger UI's files; 404 for any other name (nothing else of node_modules is served)."""
    if asset not in DOCS_ASSETS:
        raise NotFound(f"no documentation file named {asset!r}")
    if asset == INITIALIZER_ASSET:
        return Response(INITIALIZER, mimetype="text/javascript", headers={"Cache-Control": "max-age=3600"})
    return send_from_directory(SWAGGER_UI_DIR, asset, max_age=3600)
