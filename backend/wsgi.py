"""Production entry: chooses the async mode (and monkey-patches) before anything else is imported.

    gunicorn --chdir backend -w 1 --threads 100 wsgi:app     (threading mode)
    python backend/wsgi.py                                    (built-in server, any mode)
"""
import os

from dotenv import load_dotenv

_here = os.path.dirname(os.path.abspath(__file__))
load_dotenv(os.path.join(_here, ".env"))
load_dotenv(os.path.join(_here, "..", ".env"))

ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "").strip() or "threading"
if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from app import create_app  # noqa: E402  (must follow the monkey-patching)
from realtime import socketio  # noqa: E402

app = create_app()


def main() -> None:
    settings = app.config["SETTINGS"]
    socketio.run(app, host=settings.host, port=settings.port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
