"""Every class of request error: a clear French 4xx, a 500 with an error id; the server lives on."""

from __future__ import annotations

import sys
from pathlib import Path

from .conftest import MAX_BODY, Client, start_server, stop_server


def _problem(answer) -> str:  # type: ignore[no-untyped-def]
    body = answer.json()
    assert set(body) <= {"erreurs", "identifiant"} and len(body["erreurs"]) == 1
    return str(body["erreurs"][0]["message"])


def test_malformed_bodies_are_400(server: Client) -> None:
    cases = {
        b'{"nom": "A",': ("application/json", "JSON invalide, ligne 1"),
        b"": ("application/json", "corps vide"),
        b"\xff\xfe": ("application/json", "UTF-8"),
        b'{"population": NaN}': ("application/json", "NaN"),
        b'{"population": ' + b"9" * 5000 + b"}": ("application/json", "valeur illisible"),
        b"[" * 100_000: ("application/json", "trop imbriqué"),
        b"nom: [a, b": ("application/yaml", "YAML invalide"),
        b"a: &x [1, 2]\nb: *x\n": ("application/yaml", "alias"),
        b"population: .inf\n": ("application/yaml", "nombre fini"),
        b"!!python/object:os.system {}": ("application/yaml", "YAML invalide"),
    }
    for body, (kind, expected) in cases.items():
        answer = server.request("POST", "/evaluer", body, kind)
        assert answer.status == 400, (body[:30], answer.text)
        assert expected in _problem(answer)


def test_wrong_content_type_is_415(server: Client) -> None:
    for kind in (None, "text/html", "multipart/form-data; boundary=x"):
        answer = server.request("POST", "/evaluer", b'{"nom": "A"}', kind)
        assert answer.status == 415
        assert "application/json" in _problem(answer)


def test_unknown_path_and_method(server: Client) -> None:
    answer = server.get("/evaluer-une-commune")
    assert answer.status == 404 and "/openapi.json" in _problem(answer)
    answer = server.get("/evaluer")
    assert answer.status == 405 and "GET" in _problem(answer)
    assert server.get("/regles/aucune-regle").status == 404


def test_body_too_large_is_413_announced_or_not(server: Client) -> None:
    large = b'{"nom": "' + b"a" * MAX_BODY + b'"}'
    answer = server.request("POST", "/evaluer", large, "application/json")
    assert answer.status == 413 and str(MAX_BODY) in _problem(answer)
    # Without Content-Length (chunked), the limit holds as the body arrives.
    chunks = iter([large[i:i + 65536] for i in range(0, len(large), 65536)])
    answer = server.request("POST", "/evaluer", chunks, "application/json",  # type: ignore[arg-type]
                            headers={"Transfer-Encoding": "chunked"})
    assert answer.status == 413


def test_no_request_reads_a_path_given_by_the_client(server: Client) -> None:
    answer = server.get("/textes/../../../../etc/passwd")
    assert answer.status == 404
    answer = server.get("/static/../settings.py")
    assert answer.status == 404
    answer = server.post_json("/evaluer", {"commune": "/etc/passwd"})
    assert answer.status == 422  # a path is text like any other: not a commune description


def test_an_internal_error_is_a_500_with_an_id_and_no_traceback(tmp_path: Path) -> None:
    """A handler that fails (here made to): the client gets an id, the log the traceback."""
    log = tmp_path / "serveur.log"
    script = Path(__file__).with_name("faulty_server.py")
    process, client = start_server(log, command=[sys.executable, str(script)])
    try:
        answer = client.post_json("/evaluer", {"nom": "défaut simulé"})
        assert answer.status == 500
        body = answer.json()
        identifier = body["identifiant"]
        assert identifier in body["erreurs"][0]["message"]
        assert "Traceback" not in answer.text and "ZeroDivisionError" not in answer.text
        assert client.get("/sante").status == 200  # the server lives on
    finally:
        stop_server(process)
    logged = log.read_text()
    assert identifier in logged and "ZeroDivisionError" in logged
