"""Hostile and careless input documents (issue 12): each case of the issue's « Why » that a
commune, EPCI or contract file, an API argument or an HTTP body can hit, now a French error
naming the field or the file and its line — never a traceback, a hang or a silent result."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from cms_law import InputError, evaluate, load_rulebook
from cms_law.cli import EXIT_CLOSED_PIPE, EXIT_INPUT, EXIT_INTERNAL, main
from cms_law.contract import check_contract
from cms_law.documents import MAX_DEPTH, MAX_DIGITS, MAX_VALUES, Document, parse_document, read_document
from cms_law.epci import evaluate_epci
from cms_law.errors import SHOWN_LENGTH
from cms_law.french import french
from cms_law.history import commune_history
from conftest import EXAMPLES, commune


def _yaml_file(tmp_path: Path, text: str, name: str = "commune.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _commune_text(**extra: str) -> str:
    lines = [f"{key}: {json.dumps(value)}" for key, value in commune().items()]
    return "\n".join([*lines, *(f"{key}: {value}" for key, value in extra.items())]) + "\n"


def _problems(call: Any, *arguments: Any, **options: Any) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        call(*arguments, **options)
    return [(problem.champ, problem.message) for problem in caught.value.problemes]


def _id(value: object) -> str:
    return f"{type(value).__name__}-{str(value)[:12] if not isinstance(value, int) or value < 10**20 else 'grand'}"


def _cli(*arguments: str) -> tuple[int, str, str]:
    process = subprocess.run(
        [sys.executable, "-m", "cms_law", *arguments], capture_output=True, text=True, timeout=120
    )
    return process.returncode, process.stdout, process.stderr


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2023-02-30", "2023-13-01"])
def test_an_unquoted_impossible_date_is_a_field_error_with_its_line(tmp_path: Path, day: str) -> None:
    """PyYAML's resolver used to crash on these before any check; the date now stays text."""
    path = _yaml_file(tmp_path, _commune_text(date_entree_dispositif=day))
    document = read_document(path)
    assert document["date_entree_dispositif"] == day
    ((field, message),) = _problems(evaluate, document)
    assert field == "date_entree_dispositif"
    assert f"reçu « {day} »" in message and f"commune.yaml, ligne {len(commune()) + 1}" in message


def test_a_valid_unquoted_date_is_read_and_used(tmp_path: Path) -> None:
    """L. 302-8, VIII: the date of entry counts, written unquoted as YAML users do."""
    path = _yaml_file(tmp_path, _commune_text(date_entree_dispositif="2024-03-15"))
    result = evaluate(read_document(path), "2023-2025")
    assert result.commune["date_entree_dispositif"] == dt.date(2024, 3, 15)


def test_a_date_out_of_its_declared_range_is_refused() -> None:
    ((field, message),) = _problems(evaluate, commune(date_entree_dispositif="1066-10-14"))
    assert field == "date_entree_dispositif" and "supérieur ou égal à 1900-01-01" in message


# --- duplicate keys, aliases, nesting, size -----------------------------------------------------


def test_a_key_given_twice_names_both_lines(tmp_path: Path) -> None:
    path = _yaml_file(tmp_path, _commune_text(population="3"))
    ((field, message),) = _problems(read_document, path)
    assert field == "population"
    assert "donnée deux fois" in message and "lignes 2 et 9" in message


def test_a_key_given_twice_in_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "commune.json"
    path.write_text('{"nom": "A", "population": 1, "population": 2}', encoding="utf-8")
    ((_, message),) = _problems(read_document, path)
    assert "« population » donnée deux fois" in message


def test_an_alias_bomb_is_refused_at_once_with_a_short_message(tmp_path: Path) -> None:
    """A 1.2 KB file of aliases used to run until killed."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    path = _yaml_file(tmp_path, "\n".join(lines) + "\nnom: *a8\n")
    start = time.perf_counter()
    ((_, message),) = _problems(read_document, path)
    assert time.perf_counter() - start < 5  # generous: refused as soon as the budget is spent
    assert f"plus de {MAX_VALUES} valeurs" in message and len(message) < 300


def test_aliases_within_the_budget_are_read(tmp_path: Path) -> None:
    """An EPCI file may share its communes' common fields through an anchor and a merge key."""
    epci = yaml.safe_load((EXAMPLES / "epci_depliant_dhup.yaml").read_text("utf-8"))
    first, *others = epci["communes"]
    text = yaml.safe_dump({**epci, "communes": [first]}, allow_unicode=True, sort_keys=False)
    assert evaluate_epci(parse_document(text, "epci.yaml")).epci is not None
    shared = "communs: &communs\n  plh: true\n  unite_urbaine_paris: false\n"
    data = parse_document(shared + "commune:\n  <<: *communs\n  nom: A\n", "x.yaml")
    assert data["commune"] == {"plh": True, "unite_urbaine_paris": False, "nom": "A"}


@pytest.mark.parametrize("kind, text", [
    ("yaml", "a: " + "[" * 50_000 + "]" * 50_000),
    ("yaml", "".join(f"{'  ' * n}k{n}:\n" for n in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x: 1\n"),
    ("json", "[" * 50_000 + "]" * 50_000),
    ("json", "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)),
])
def test_deep_nesting_is_refused(kind: str, text: str) -> None:
    ((_, message),) = _problems(parse_document, text, "corps", kind)
    assert f"trop imbriqué (au plus {MAX_DEPTH} niveaux)" in message


def test_a_document_over_the_size_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "enorme.yaml"
    with path.open("wb") as stream:
        stream.truncate(20_000_000)  # sparse: 20 MB of zeros
    ((_, message),) = _problems(read_document, path)
    assert "la taille maximale d'un document" in message


# --- encodings, empty files, the file system ----------------------------------------------------


@pytest.mark.parametrize("encoding, said", [
    ("utf-16", "encodé en UTF-16"), ("utf-32", "encodé en UTF-32"), ("utf-16-le", "octets nuls"),
    ("latin-1", "n'est pas un texte UTF-8"), ("cp1252", "n'est pas un texte UTF-8"),
])
def test_a_file_not_in_utf8_says_so(tmp_path: Path, encoding: str, said: str) -> None:
    path = tmp_path / "commune.yaml"
    path.write_bytes(_commune_text(nom='"Saint-Étienne-du-Château"').encode(encoding))
    ((field, message),) = _problems(read_document, path)
    assert field == "fichier" and said in message and "UTF-8" in message and str(path) in message


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "commune.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + _commune_text().encode("utf-8"))
    assert evaluate(read_document(path))["objectif_triennal"] == 165  # the leaflet's commune


@pytest.mark.parametrize("text", ["", "\n\n", "# rien que des commentaires\n"])
def test_an_empty_file_says_it_is_empty_and_lists_the_required_fields(tmp_path: Path, text: str) -> None:
    path = _yaml_file(tmp_path, text)
    ((field, message),) = _problems(evaluate, read_document(path))
    required = [f.cle for f in load_rulebook().entrees if f.requis]
    assert field == "fichier" and "commune.yaml est vide" in message
    assert all(name in message for name in required)


def test_an_empty_epci_file_lists_its_communes_too(tmp_path: Path) -> None:
    ((_, message),) = _problems(evaluate_epci, read_document(_yaml_file(tmp_path, "", "epci.json")))
    assert "est vide" in message and "communes" in message


def test_file_system_errors_in_french(tmp_path: Path) -> None:
    assert "est un dossier" in _problems(read_document, tmp_path)[0][1]
    assert "fichier introuvable" in _problems(read_document, tmp_path / "absent.yaml")[0][1]
    if os.geteuid() != 0:  # root reads anything
        locked = _yaml_file(tmp_path, _commune_text())
        locked.chmod(0)
        assert "permission refusée" in _problems(read_document, locked)[0][1]


def test_messages_name_the_users_file_not_unicode_string(tmp_path: Path) -> None:
    path = _yaml_file(tmp_path, "nom: [a, b\n")
    ((_, message),) = _problems(read_document, path)
    assert "<unicode string>" not in message and f"{path}, ligne 2" in message


def test_a_yaml_tag_that_builds_objects_is_refused(tmp_path: Path) -> None:
    path = _yaml_file(tmp_path, "nom: !!python/object/apply:os.system [echo pwned]\n")
    ((_, message),) = _problems(read_document, path)
    assert "étiquette" in message and "n'est pas acceptée" in message


# --- numbers ------------------------------------------------------------------------------------

BIG = "1" + "0" * 28  # 29 digits: used to pass the checks and crash the output (decimal.InvalidOperation)


@pytest.mark.parametrize("field", ["residences_principales", "logements_sociaux", "population", "taux_cible"])
def test_a_29_digit_integer_is_refused_naming_its_field(field: str) -> None:
    problems = _problems(evaluate, commune(**{field: int(BIG)}))
    assert [champ for champ, _ in problems] == [field]
    assert "inférieur ou égal" in problems[0][1]


def test_a_29_digit_contract_figure_is_refused_naming_its_field() -> None:
    contract = yaml.safe_load((EXAMPLES / "contrat_depliant_abaissant.yaml").read_text("utf-8"))
    contract["duree_annees"] = int(BIG)
    contract["communes"][0]["objectif_retenu"] = int(BIG)
    fields = [champ for champ, _ in _problems(check_contract, contract)]
    assert "duree_annees" in fields and "communes[1].objectif_retenu" in fields


def test_a_29_digit_integer_through_the_cli_is_exit_1_not_a_crash(tmp_path: Path) -> None:
    path = _yaml_file(tmp_path, _commune_text().replace("residences_principales: 4000", f"residences_principales: {BIG}"))
    code, output, errors = _cli("evaluate", str(path), "--format", "json")
    assert code == EXIT_INPUT and "Traceback" not in errors
    assert json.loads(output)["erreurs"][0]["champ"] == "residences_principales"


@pytest.mark.parametrize("text", [str(10**40), "9" * 5000, "0." + "1" * 40])
def test_numbers_of_too_many_digits_are_refused_when_read(text: str) -> None:
    for kind in ("json", "yaml"):
        ((_, message),) = _problems(parse_document, f'{{"population": {text}}}', "corps", kind)
        assert f"plus de {MAX_DIGITS} chiffres" in message and len(message) < 200


@pytest.mark.parametrize("kind, value", [
    ("yaml", ".inf"), ("yaml", "-.inf"), ("yaml", ".nan"), ("json", "Infinity"), ("json", "NaN"), ("json", "1e400"),
])
def test_non_finite_numbers_in_a_document_are_refused_in_french(kind: str, value: str) -> None:
    ((_, message),) = _problems(parse_document, f'{{"taux_cible": {value}}}', "commune", kind)
    assert "fini" in message or "n'est pas un nombre" in message


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_numbers_from_python_are_refused_naming_the_field(value: float) -> None:
    for field in ("taux_cible", "residences_principales"):
        problems = _problems(evaluate, commune(**{field: value}))
        assert problems[0][0] == field and "un nombre fini est attendu" in problems[0][1]


def test_a_rate_given_as_a_percent_number_says_how_to_write_it() -> None:
    ((field, message),) = _problems(evaluate, commune(taux_cible=25))
    assert field == "taux_cible" and "0.25 ou « 25 % »" in message


@pytest.mark.skipif(
    "places" not in inspect.signature(french).parameters,
    reason="the figures of a sentence told apart (french.fill) come with the branch « french »",
)
def test_a_rate_near_25_percent_is_not_reported_as_25_percent() -> None:
    """L. 302-5, I: only 25 % or 20 %; 0,2500000001 is neither, and the message must show it."""
    ((field, message),) = _problems(evaluate, commune(taux_cible=0.2500000001))
    assert field == "taux_cible" and "reçu 25 %" not in message and "25,00000001" in message


def test_every_number_and_date_of_every_input_field_has_a_declared_range() -> None:
    book = load_rulebook()
    sections = (book.entrees, book.entrees_epci, book.entrees_contrat, book.entrees_contrat_commune,
                book.entrees_arrondissement)
    bounded = [f for fields in sections for f in fields if f.type not in ("texte", "booleen")]
    assert bounded and all(f.minimum is not None and f.maximum is not None for f in bounded)
    dwellings = next(f for f in book.entrees if f.cle == "residences_principales")
    assert dwellings.maximum < 10**7


def test_a_numeric_field_without_a_range_is_refused_at_load(rules_copy: Any) -> None:
    from cms_law import RuleFileError

    def unbounded(data: dict[str, Any]) -> None:
        del data["entrees"]["residences_principales"]["max"]

    with pytest.raises(RuleFileError, match="residences_principales.*« min » et « max » sont obligatoires"):
        rules_copy("vocabulaire.yaml", unbounded)


def test_messages_quote_only_a_short_prefix_of_what_they_got() -> None:
    huge = "x" * 1_000_000
    problems = _problems(evaluate, commune(population=huge, plh=huge, code_insee=huge, **{huge: 1}))
    # Bounded whatever was sent: the longest message is the unknown field's, which lists the
    # accepted fields (about 1 200 characters today), never a copy of the million received.
    assert all(len(champ) + len(message) < 3000 for champ, message in problems)
    assert any(f"{'x' * SHOWN_LENGTH}… (1000000 caractères)" in message for _, message in problems)


def test_a_wrong_value_names_its_line_also_inside_an_epci(tmp_path: Path) -> None:
    text = (EXAMPLES / "epci_depliant_dhup.yaml").read_text("utf-8")
    broken = text.replace("logements_sociaux: 500", "logements_sociaux: beaucoup", 1)
    assert broken != text
    line = broken.splitlines().index(next(l for l in broken.splitlines() if "beaucoup" in l)) + 1
    problems = _problems(evaluate_epci, read_document(_yaml_file(tmp_path, broken, "epci.yaml")))
    assert any(champ.endswith(".logements_sociaux") and f"epci.yaml, ligne {line}" in message for champ, message in problems)


# --- the Python API with arguments of the wrong type --------------------------------------------

WRONG = [1, 2.5, b"2023-2025", ["2023-2025"], {"a": 1}, object(), True, 10**5000, "x" * 10_000, float("nan")]


@pytest.mark.parametrize("argument", ["periode", "conventions", "date"])
@pytest.mark.parametrize("value", WRONG + [dt.datetime(2023, 6, 1, 12)], ids=_id)
def test_evaluate_with_arguments_of_the_wrong_type_is_an_input_error(argument: str, value: object) -> None:
    if argument == "conventions" and isinstance(value, dict):
        value = {"arrondi_objectifs": 1}
    problems = _problems(evaluate, commune(), **{argument: value})
    assert problems and all(champ.startswith(argument) for champ, _ in problems)
    assert all(len(message) < 400 for _, message in problems)


@pytest.mark.parametrize("call, example", [
    (evaluate_epci, "epci_depliant_dhup.yaml"), (check_contract, "contrat_depliant_abaissant.yaml"),
    (commune_history, "commune_historique.yaml"),
])
@pytest.mark.parametrize("value", [1, ["a=b"], "arrondi=plus_proche", 10**5000], ids=_id)
def test_the_other_entry_points_refuse_wrong_conventions_in_french(call: Any, example: str, value: object) -> None:
    document = read_document(EXAMPLES / example)
    assert _problems(call, document, conventions=value)[0][0].startswith("conventions")


@pytest.mark.parametrize("value", [None, 3, "texte", [1, 2], b"nom: A"], ids=_id)
def test_a_description_that_is_no_mapping_is_an_input_error(value: object) -> None:
    for call in (evaluate, evaluate_epci, check_contract, commune_history):
        assert _problems(call, value)


# --- the command line's exit codes --------------------------------------------------------------


def test_a_closed_pipe_met_by_a_write_is_exit_141() -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    assert main(["rules"], stdout=Closed()) == EXIT_CLOSED_PIPE


def test_an_internal_error_is_one_french_line_with_an_id_and_exit_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cms_law.cli

    def broken(*arguments: Any, **options: Any) -> None:
        raise ZeroDivisionError("défaut simulé")

    monkeypatch.setattr(cms_law.cli, "evaluate", broken)
    identifiers = set()
    for _ in range(2):
        code = main(["evaluate", str(EXAMPLES / "commune_exemple.yaml")], stdout=io.StringIO())
        errors = capsys.readouterr().err
        assert code == EXIT_INTERNAL == 70
        (line,) = errors.splitlines()
        assert "erreur interne de cms-law (à signaler, identifiant E-" in line and "Traceback" not in errors
        identifiers.add(line.split("identifiant ")[1].split(",")[0])
    assert len(identifiers) == 1  # the same defect, the same identifier


def test_a_closed_pipe_ends_quietly() -> None:
    """``cms-law rules | head -1``: no traceback, no « Exception ignored »; exit 141 when a write
    meets the closed pipe (0 when the system had taken every byte before the reader left)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cms_law", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) in (EXIT_CLOSED_PIPE, 0)
    assert errors == ""


def test_the_cli_reports_a_hostile_file_in_french_with_exit_1(tmp_path: Path) -> None:
    path = _yaml_file(tmp_path, _commune_text(date_entree_dispositif="2023-02-30"))
    code, _, errors = _cli("evaluate", str(path))
    assert code == EXIT_INPUT and "Traceback" not in errors and "date_entree_dispositif" in errors


# --- HTTP bodies go through the same reader -----------------------------------------------------


def test_http_bodies_get_the_same_checks_as_files(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from cms_law.serve.app import parse_body
    from cms_law.serve.errors import RequestError

    body = _commune_text(population="3", date_entree_dispositif="2023-02-30").encode()
    with pytest.raises(RequestError) as caught:
        parse_body(body, "application/yaml")
    assert "donnée deux fois" in caught.value.message and "corps, ligne" in caught.value.message
    document = parse_body(_commune_text(date_entree_dispositif="2023-02-30").encode(), "application/yaml")
    assert isinstance(document, Document) and document["date_entree_dispositif"] == "2023-02-30"
    ((field, message),) = _problems(evaluate, document)
    assert field == "date_entree_dispositif" and "(corps, ligne 9)" in message
    for raw in (b'{"population": ' + b"9" * 5000 + b"}", b"[" * 100_000, b'{"a": NaN}'):
        with pytest.raises(RequestError):
            parse_body(raw, "application/json")
