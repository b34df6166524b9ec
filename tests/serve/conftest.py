"""The real server, started once in a subprocess on a free loopback port, and a small HTTP client.

The server runs as a user runs it (``python -m cms_law serve``), with small limits so that the
limit errors are cheap to reach; it is stopped (Ctrl-C, as a user would) when the tests end.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import attrs
import pytest

from cms_law.cli import main

EXAMPLES = Path(__file__).parent.parent.parent / "examples"
#: The limits the test server is started with.
MAX_BODY = 200_000
MAX_ROWS = 100


@attrs.frozen
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@attrs.frozen
class Client:
    """Talks HTTP to the server at ``host:port``, one connection per request."""

    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        content_type: str | None = None,
        query: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            sent = dict(headers or {})
            if content_type is not None:
                sent["Content-Type"] = content_type
            data = body.encode("utf-8") if isinstance(body, str) else body
            target = quote(path, safe="/#?=&%") + (f"?{urlencode(list(query))}" if query else "")
            chunked = sent.get("Transfer-Encoding") == "chunked"
            connection.request(method, target, body=data, headers=sent, encode_chunked=chunked)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Answer:
        return self.request("GET", path, query=query)

    def post_file(self, path: str, file: Path, query: Sequence[tuple[str, str]] = ()) -> Answer:
        kind = {".yaml": "application/yaml", ".json": "application/json", ".csv": "text/csv"}[file.suffix]
        return self.request("POST", path, file.read_bytes(), kind, query)

    def post_json(self, path: str, data: Any, query: Sequence[tuple[str, str]] = ()) -> Answer:
        return self.request("POST", path, json.dumps(data), "application/json", query)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(log: Path, *arguments: str, command: Sequence[str] | None = None) -> tuple[subprocess.Popen[bytes], Client]:
    """Start ``cms-law serve`` (or ``command``) on a free port; wait until /sante answers."""
    port = free_port()
    command = command or [sys.executable, "-m", "cms_law", "serve"]
    stream = log.open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port), *arguments], stdout=stream, stderr=subprocess.STDOUT, env=os.environ.copy()
    )
    client = Client("127.0.0.1", port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté au démarrage :\n{log.read_text(errors='replace')}")
        try:
            if client.get("/sante").status == 200:
                return process, client
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"le serveur n'a pas répondu en 60 s :\n{log.read_text(errors='replace')}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serveur") / "serveur.log"


@pytest.fixture(scope="session")
def server(server_log: Path) -> Iterator[Client]:
    process, client = start_server(server_log, "--max-body", str(MAX_BODY), "--max-rows", str(MAX_ROWS))
    try:
        yield client
    finally:
        stop_server(process)
    assert process.returncode == 0, server_log.read_text(errors="replace")


def cli(*arguments: str) -> tuple[int, bytes]:
    """``cms-law …`` run in this process: its exit code and exactly what it printed."""
    out = io.StringIO()
    code = main(list(arguments), stdout=out)
    return code, out.getvalue().encode("utf-8")
