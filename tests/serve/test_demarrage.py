"""Starting the service: loopback by default, several workers, a clear word when the extra is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES, Client, cli, start_server, stop_server


def test_listens_on_loopback_by_default(server: Client, server_log: Path) -> None:
    assert f"Uvicorn running on http://127.0.0.1:{server.port}" in server_log.read_text()


def test_two_workers_answer_the_same_bytes(tmp_path: Path) -> None:
    process, client = start_server(tmp_path / "serveur.log", "--workers", "2", "--max-rows", "7")
    try:
        _, printed = cli("evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--format", "json")
        answers = [client.post_file("/evaluer", EXAMPLES / "commune_exemple.yaml") for _ in range(6)]
        assert all(answer.body == printed for answer in answers)
        # The settings reach every worker process.
        assert all(client.get("/sante").json()["limites"]["lignes_lot"] == 7 for _ in range(6))
    finally:
        stop_server(process)


def test_a_missing_extra_names_the_install_command() -> None:
    script = (
        "import sys; sys.modules['starlette'] = None\n"
        "from cms_law.cli import main\n"
        "sys.exit(main(['serve']))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "pip install -e '.[serve]'" in completed.stderr
    assert "Traceback" not in completed.stderr
