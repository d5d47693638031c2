"""Production entry: picks the async mode (and monkey-patches) before anything imports boto3.

    python backend/wsgi.py                               built-in server of the mode (any mode)
    gunicorn -c backend/gunicorn.conf.py wsgi:app        threading or gevent (see AWS_DEPLOYMENT_CONFIG.md)

`config` imports only the standard library and python-dotenv, so reading the settings here,
before patching, opens no socket and creates no client.
"""
from __future__ import annotations

from config import Settings

ASYNC_MODE = Settings.from_env().socketio_async_mode
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from app import create_configured_app  # noqa: E402  (must follow the monkey-patching: it imports boto3 and redis)
from realtime import socketio  # noqa: E402

app = create_configured_app()
if app.config["SETTINGS"].test_hooks:  # tests only; refused without a local DynamoDB (config)
    from serving import test_hooks

    test_hooks.register(app)


def main() -> None:
    """Serve with the mode's own server: eventlet.wsgi, gevent's WSGIServer or Werkzeug."""
    settings = app.config["SETTINGS"]
    options = {}
    if ASYNC_MODE == "threading":  # Werkzeug: its own errors (400, 414, 431) as JSON too
        from serving.werkzeug_handler import JsonErrorRequestHandler

        options["request_handler"] = JsonErrorRequestHandler
    socketio.run(app, host=settings.host, port=settings.port, allow_unsafe_werkzeug=True, **options)


if __name__ == "__main__":
    main()
