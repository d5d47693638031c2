"""The peer of bench_capacity.py: python-socketio's own asyncio server (aiohttp), the least a
Socket.IO server in Python keeps per socket.

The same protocol as the service for the bench's clients: a token as the auth payload (PEER_TOKEN),
`join_department` acknowledged with {"ok": true}. Served from the project root:

    PEER_TOKEN=... HOST=127.0.0.1 PORT=5001 python bench/peer_socketio.py
"""
from __future__ import annotations

import os
import resource

import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])


@sio.event
async def connect(sid, environ, auth):
    if not isinstance(auth, dict) or auth.get("token") != os.environ["PEER_TOKEN"]:
        raise socketio.exceptions.ConnectionRefusedError("the token is unknown or revoked")


@sio.on("join_department")
async def join_department(sid, payload):
    await sio.enter_room(sid, f"department:{payload['department_id']}")
    return {"ok": True, "department_id": payload["department_id"]}


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    app = web.Application()
    sio.attach(app)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5001")),
                print=None, access_log=None)


if __name__ == "__main__":
    main()
