"""Publishers' hosts that misbehave: one that hangs (it accepts connections, reads the
request and never answers until the test ends, the way an overloaded or blackholing
image host behaves), and one that answers with bytes no HTTP library would write."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def hanging_host(host: str = "127.0.0.1") -> Iterator[tuple[str, list[str]]]:
    """Yields the base URL and the request lines received so far."""
    held: list[socket.socket] = []

    def hang(connection: socket.socket) -> bytes | None:
        held.append(connection)          # kept open, unanswered, until the host stops
        return None

    try:
        with _host(host, hang) as served:
            yield served
    finally:
        for connection in held:
            connection.close()


@contextmanager
def raw_host(answer: bytes, host: str = "127.0.0.1") -> Iterator[tuple[str, list[str]]]:
    """A host that answers every request with `answer`, bytes as given (headers no HTTP
    library would write), then closes; yields the base URL and the request lines."""
    with _host(host, lambda connection: answer) as served:
        yield served


@contextmanager
def _host(host: str, answer: Callable[[socket.socket], bytes | None],
          ) -> Iterator[tuple[str, list[str]]]:
    """A listener on `host` reading each request's head; `answer(connection)` gives the
    bytes to send back and close with, or None to leave the connection to the caller.
    Yields the base URL and the request lines received so far."""
    listener = socket.socket()
    listener.bind((host, 0))
    listener.listen(64)
    listener.settimeout(0.2)
    requests: list[str] = []
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            reply = answer(connection)
            connection.settimeout(2)
            try:
                head = connection.recv(65536).decode("latin-1")
                requests.append(head.split("\r\n", 1)[0])
                if reply is not None:
                    connection.sendall(reply)
            except OSError:
                pass
            if reply is not None:
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{listener.getsockname()[1]}", requests
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()
