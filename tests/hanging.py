"""Publishers' hosts that misbehave: one that hangs (it accepts connections, reads the
request and never answers until the test ends, the way an overloaded or blackholing
image host behaves), and one that answers with bytes no HTTP library would write."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def hanging_host(host: str = "127.0.0.1") -> Iterator[tuple[str, list[str]]]:
    """Yields the base URL and the request lines received so far."""
    listener = socket.socket()
    listener.bind((host, 0))
    listener.listen(64)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
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
            held.append(connection)
            connection.settimeout(2)
            try:
                head = connection.recv(4096).decode("latin-1")
            except OSError:
                continue
            requests.append(head.split("\r\n", 1)[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{listener.getsockname()[1]}", requests
    finally:
        stopping.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


@contextmanager
def raw_host(answer: bytes, host: str = "127.0.0.1") -> Iterator[tuple[str, list[str]]]:
    """A host that answers every request with `answer`, bytes as given (headers no HTTP
    library would write), then closes; yields the base URL and the request lines."""
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
            with connection:
                connection.settimeout(2)
                try:
                    head = connection.recv(65536).decode("latin-1")
                    requests.append(head.split("\r\n", 1)[0])
                    connection.sendall(answer)
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{listener.getsockname()[1]}", requests
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()
