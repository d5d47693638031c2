"""Reading a JSON request body, whatever Content-Type the client sent."""
from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from errors import ValidationError


def json_body() -> Any:
    """The parsed JSON body; raises ValidationError when it is missing, not JSON or nested too deeply.

    Bodies larger than MAX_CONTENT_LENGTH raise werkzeug's RequestEntityTooLarge (413), chunked
    ones (no Content-Length) included.
    """
    raw = request.get_data(cache=True)
    if request.content_length is None and _chunked_body_goes_on(len(raw)):
        raise RequestEntityTooLarge()
    if not raw.strip():
        raise ValidationError("the request body must be a JSON object, got an empty body")
    try:
        return json.loads(raw)
    except RecursionError as exc:  # e.g. 20,000 nested arrays: json recurses once per level
        raise ValidationError("the request body is nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the request body is not valid JSON: {exc}") from exc


def _chunked_body_goes_on(read: int) -> bool:
    # Werkzeug stops a body without Content-Length at MAX_CONTENT_LENGTH and reports no error:
    # one more byte in the server's input means the client sent more than the limit.
    limit = request.max_content_length
    return limit is not None and read >= limit and bool(request.environ["wsgi.input"].read(1))
