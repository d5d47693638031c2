"""`make run`: a local DynamoDB (unless DYNAMODB_ENDPOINT_URL is set), the tables, then the app
served by gunicorn, as in production.

Never reaches real AWS: without DYNAMODB_ENDPOINT_URL it starts DynamoDB Local (data kept in
LOCAL_DATA_DIR, default .data/), or moto's in-memory server when Java is missing.
Ctrl-C or SIGTERM stops the app and the local DynamoDB it started; the data stays.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from auth import TokenStore
from config import BACKEND_DIR, Settings, load_env_files
from local.admin_token import TOKEN_FILE, announce, ensure_admin_token
from local.dynamodb_local import (
    LocalDynamoDBUnavailable,
    port_in_use,
    start_dynamodb_local,
    start_moto_server,
    stop_process,
    why_dynamodb_local_unavailable,
)
from models import DynamoDBDatabase

log = logging.getLogger("run_local")


class Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise Stop()


def start_local_dynamodb(data_dir: Path, port: int):
    reason = why_dynamodb_local_unavailable()
    if reason is None:
        try:
            server = start_dynamodb_local(port, data_dir / "dynamodb", data_dir / "dynamodb-local.log")
            log.info("DynamoDB Local on %s, data in %s", server.endpoint_url, data_dir / "dynamodb")
            return server
        except LocalDynamoDBUnavailable as exc:
            reason = f"{exc} (see {data_dir / 'dynamodb-local.log'})"
    log.warning("DynamoDB Local cannot start: %s", reason)
    log.warning("Falling back to moto's server: IN MEMORY, NOTHING PERSISTS after this process ends.")
    return start_moto_server(port, data_dir / "moto.log")


def prepare_tables(settings: Settings, data_dir: Path) -> None:
    """Create the missing tables; with AUTH_MODE=token, show the local admin token (made if needed)."""
    db = DynamoDBDatabase(settings)
    created = db.create_tables()
    log.info("Tables ready (%s)", ", ".join(created) + " created" if created else "already there")
    if settings.auth_mode == "token":
        token, new = ensure_admin_token(TokenStore(db), data_dir)
        print(announce(token, new, data_dir / TOKEN_FILE, f"http://{settings.host}:{settings.port}"), flush=True)


def app_command(async_mode: str) -> list[str]:
    """The app served as production serves it: gunicorn (threading, gevent), or eventlet's own
    server through wsgi.py (gunicorn has no eventlet worker). Werkzeug's development server
    mishandles WebSocket closes and does not bound slow clients (see AWS_DEPLOYMENT_CONFIG.md)."""
    if async_mode == "eventlet":
        return [sys.executable, str(BACKEND_DIR / "wsgi.py")]
    return [sys.executable, "-m", "gunicorn", "-c", str(BACKEND_DIR / "gunicorn.conf.py"), "wsgi:app"]


def _configure_logs() -> None:
    """Text lines in the terminal, this process's and the app's (unless LOG_FORMAT says otherwise)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    load_env_files()
    os.environ.setdefault("LOG_FORMAT", "text")


def main() -> int:
    _configure_logs()
    signal.signal(signal.SIGTERM, _raise_stop)
    settings = Settings.from_env()
    data_dir = settings.local_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    server = None
    app_process = None
    try:
        if settings.dynamodb_endpoint_url:
            log.info("Using DYNAMODB_ENDPOINT_URL=%s (no local DynamoDB started)", settings.dynamodb_endpoint_url)
        else:
            port = settings.dynamodb_local_port
            if port_in_use(port):
                log.error("Port %d is already in use (another DynamoDB Local?). Set DYNAMODB_LOCAL_PORT to a "
                          "free port, or DYNAMODB_ENDPOINT_URL=http://127.0.0.1:%d to use what runs there.",
                          port, port)
                return 1
            server = start_local_dynamodb(data_dir, port)
            settings = settings.with_overrides(dynamodb_endpoint_url=server.endpoint_url)
            os.environ["DYNAMODB_ENDPOINT_URL"] = server.endpoint_url  # for the app process
        prepare_tables(settings, data_dir)
        log.info("Serving on http://%s:%s (Socket.IO mode %s)", settings.host, settings.port,
                 settings.socketio_async_mode)
        app_process = subprocess.Popen(app_command(settings.socketio_async_mode), cwd=BACKEND_DIR)
        return app_process.wait()
    except (KeyboardInterrupt, Stop):
        log.info("Stopping")
        return 0
    except LocalDynamoDBUnavailable as exc:
        log.error("%s", exc)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if app_process is not None:
            stop_process(app_process)
        if server is not None:
            server.stop()
            log.info("Local DynamoDB stopped")


if __name__ == "__main__":
    sys.exit(main())
