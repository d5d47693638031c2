"""A body over MAX_CONTENT_LENGTH answered 413 without breaking the client's connection.

The app answers such a body 413 without reading it. Left unread, it would be taken for the next
request on a keep-alive connection, so gunicorn closes the connection after an answer that said
`keep-alive`, and a client reusing it from its pool (requests.Session, .NET's HttpClient) sees
its next request fail. So serving.read_deadline reads and discards the body, up to
DISCARD_BYTES and within the request's read deadline, and the connection stays usable; a bigger
or slower one is answered with `Connection: close`, and the server reads what still arrives for
a moment before closing (serving.lingering), so that the client reads the 413.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from serving.lingering import finish_sending

DISCARD_BYTES = 16 * 1024 * 1024
CLOSE_KEY = "serving.close_connection"


def discard_rest(stream, limit: int = DISCARD_BYTES) -> bool:
    """Read and drop the rest of a request body; whether it ended within `limit` bytes."""
    dropped = 0
    while dropped <= limit:
        part = stream.read(65536)
        if not part:
            return True
        dropped += len(part)
    return False


def offer_close(app: Callable) -> Callable:
    """Outermost WSGI wrapper in a gunicorn worker: environ[CLOSE_KEY]() has gunicorn close the
    connection after this answer (gunicorn writes the Connection header itself, from its response
    object, whose start_response the app receives, and drops the app's)."""

    def wsgi(environ: dict, start_response):
        environ[CLOSE_KEY] = start_response.__self__.force_close
        return app(environ, start_response)

    return wsgi


def close_after(environ: dict, answer: Iterable[bytes]) -> Iterable[bytes]:
    """The app's `answer`, sent with `Connection: close`; the connection then closes gently."""
    force_close = environ.get(CLOSE_KEY)
    if force_close is not None:
        force_close()
    return LingerAfter(answer, environ["gunicorn.socket"])


class LingerAfter:
    """A WSGI answer whose close() (the server calls it once the answer is sent) lingers on the socket."""

    def __init__(self, answer: Iterable[bytes], sock):
        self.answer = answer
        self.sock = sock

    def __iter__(self):
        return iter(self.answer)

    def close(self) -> None:
        try:
            if hasattr(self.answer, "close"):
                self.answer.close()
        finally:
            finish_sending(self.sock)
