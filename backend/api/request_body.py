"""Reading a JSON request body, whatever Content-Type the client sent."""
from __future__ import annotations

import json
from typing import Any

from flask import request

from validation import ValidationError


def json_body() -> Any:
    """The parsed JSON body; raises ValidationError when it is missing or not JSON.

    Bodies larger than MAX_CONTENT_LENGTH raise werkzeug's RequestEntityTooLarge (413).
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ValidationError("the request body must be a JSON object, got an empty body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the request body is not valid JSON: {exc}") from exc
