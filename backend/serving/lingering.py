"""Closing a connection the client is still sending on, without losing the answer.

A server that answers early (an error before the request was read whole) and closes at once
leaves the client's unread bytes in its receive buffer; closing then sends a TCP reset, and the
client's kernel drops the answer it had not read yet: the client sees "connection reset"
instead of the error. So the server half-closes (the client reads the answer and the end), reads
and discards what still arrives for a moment, and only then closes (RFC 9112, 9.6).
"""
from __future__ import annotations

import socket
import time

LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024


def finish_sending(sock: socket.socket, seconds: float = LINGER_SECONDS, limit: int = LINGER_BYTES) -> None:
    """Half-close `sock` and discard what the client still sends, within `seconds` and `limit` bytes."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline, discarded = time.monotonic() + seconds, 0
        while discarded < limit and (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            data = sock.recv(65536)
            if not data:
                return
            discarded += len(data)
    except OSError:  # the client is gone, or stopped sending in time: either way, done
        pass
