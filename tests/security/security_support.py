"""Support for the security suite: a real listener on 127.0.0.1 that must see no connection (import
the `listener` fixture from here; a conftest.py of its own would shadow tests/conftest.py)."""
from __future__ import annotations

import socket
import threading

import pytest


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and never answers (a black hole)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)  # held open and never answered

    def close(self):
        self.sock.close()
        for c in self._open:
            c.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()
