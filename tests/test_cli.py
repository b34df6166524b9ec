"""The command line, as a user runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cms_law.cli import EXIT_INPUT, EXIT_USAGE, main
from conftest import EXAMPLES, commune


def run(*arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(arguments), stdout=out)
    return code, out.getvalue()


def test_evaluate_the_example_commune_in_french() -> None:
    code, text = run("evaluate", str(EXAMPLES / "commune_exemple.yaml"))
    assert code == 0
    assert "Période triennale : 2023-2025" in text
    assert "Objectif triennal :" in text
    assert "loi n° 2022-217 du 21 février 2022" in text
    assert "L. 302-8, VII" in text


def test_evaluate_the_leaflet_commune_as_json() -> None:
    code, output = run("evaluate", str(EXAMPLES / "commune_depliant_dhup.yaml"), "--format", "json")
    data = json.loads(output)
    assert code == 0
    assert (data["logements_manquants"], data["objectif_triennal"]) == (500, 165)
    assert data["regime"] == "L. 302-8, VII, al. 1"
    assert data["periode"] == "2023-2025" and data["version_loi"] == "3DS"
    for key in ("soumise", "exemptee", "taux_cible", "taux_logements_sociaux", "ecart_points", "deficitaire",
                "taux_rattrapage", "typologie", "explication"):
        assert key in data
    assert all({"regle", "citations", "texte"} <= set(step) for step in data["explication"])


def test_json_input_period_and_convention_options(tmp_path: Path) -> None:
    path = tmp_path / "commune.json"
    path.write_text(json.dumps(commune(logements_sociaux=549)), encoding="utf-8")  # 451 missing
    _, output = run("evaluate", str(path), "--format", "json", "--period", "2026-2028",
                    "--convention", "arrondi_objectifs=inferieur")
    data = json.loads(output)
    assert data["periode"] == "2026-2028"
    assert data["objectif_triennal"] == 148  # 33 % of 451 = 148.83, rounded down as asked
    assert data["conventions"]["arrondi_objectifs"] == {"valeur": "inferieur", "par_defaut": False}


def test_bad_input_names_every_field_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "commune.yaml"
    path.write_text(yaml.safe_dump(commune(population=-3, plh=None, logements_sociaux="beaucoup")), encoding="utf-8")
    code, output = run("evaluate", str(path), "--format", "json")
    assert code == EXIT_INPUT
    fields = {problem["champ"] for problem in json.loads(output)["erreurs"]}
    assert fields == {"population", "plh", "logements_sociaux"}
    assert "population" in capsys.readouterr().err


def test_bad_period_and_unknown_convention_are_named_and_are_a_misuse(tmp_path: Path) -> None:
    """What is typed on the command line is a misuse of the command (exit 2, as the README says);
    only the user's file makes an invalid input (exit 1)."""
    path = tmp_path / "commune.yaml"
    path.write_text(yaml.safe_dump(commune()), encoding="utf-8")
    code, output = run("evaluate", str(path), "--period", "2024-2026", "--format", "json")
    assert code == EXIT_USAGE and json.loads(output)["erreurs"][0]["champ"] == "periode"
    code, output = run("evaluate", str(path), "--convention", "arrondi=haut", "--format", "json")
    assert code == EXIT_USAGE and json.loads(output)["erreurs"][0]["champ"] == "conventions.arrondi"


@pytest.mark.parametrize(
    "arguments",
    [
        ["evaluate", "{commune}", "--convention", "arrondi_objectifs"],
        ["evaluate", "{commune}", "--convention", "=plus_proche"],
        ["evaluate", "{commune}", "--date", "2021-06-01", "--period", "2020-2022"],
        ["evaluate", "{commune}", "--date", "2021-13-01"],
        ["evaluate", "{commune}", "--period", "2023"],
        ["evaluate", "{commune}", "--period", "1990-1992"],
        ["evaluate-epci", "{epci}", "--convention", "mesure_ecart"],
        ["check-contract", "{contrat}", "--period", "2024-2026"],
        ["history", "{historique}", "--from", "2024-2026"],
        ["history", "{historique}", "--convention", "arrondi_objectifs=au_hasard"],
        ["diff", "2022-02-30", "2023-01-01"],
        ["evaluate", "{commune}", "--format", "xml"],
        ["evaluate"],
        ["evaluer", "{commune}"],
    ],
)
def test_every_misuse_of_the_command_exits_2(arguments: list[str]) -> None:
    files = {
        "commune": EXAMPLES / "commune_exemple.yaml",
        "epci": EXAMPLES / "epci_depliant_dhup.yaml",
        "contrat": EXAMPLES / "contrat_depliant_abaissant.yaml",
        "historique": EXAMPLES / "commune_historique.yaml",
    }
    argv = [argument.format(**{name: str(path) for name, path in files.items()}) for argument in arguments]
    try:
        code, _ = run(*argv)
    except SystemExit as usage:  # argparse's own errors
        code = usage.code
    assert code == EXIT_USAGE


def test_rules_lists_every_rule_with_citations_and_provenance() -> None:
    code, output = run("rules", "--format", "json")
    data = json.loads(output)
    assert code == 0
    rule = next(r for r in data["regles"] if r["id"] == "L302-8.VII.1°")
    assert rule["citations"][0]["citation"] == "L. 302-8, VII, 1° (al. 3)"
    assert rule["citations"][0]["provenance"] == "authentique"
    assert rule["validite"] == {"debut": "2022-02-23", "fin": None}
    code, text = run("rules")
    assert code == 0
    assert "L302-8.VIII.entree-en-cours" in text and "texte non disponible" in text


def test_rules_lists_the_derogations_and_contract_verifications_an_auditor_checks() -> None:
    """L. 302-8, IX, al. 5: the abaissement rests on the préfet's power to waive its duration, and
    the contract check of his decision is listed with that alinéa."""
    code, output = run("rules", "--format", "json")
    data = json.loads(output)
    abaissement = next(d for d in data["derogations"] if d["id"] == "L302-8.IX.abaissement")
    assert abaissement["niveau"] == "commune" and abaissement["plancher"] == "plancher_abaissement"
    assert [c["citation"] for c in abaissement["appreciation"]["citations"]] == ["L. 302-8, IX, al. 5"]
    assert abaissement["appreciation"]["condition"] == "periodes_abaissement_anterieures >= duree_max_abaissement"
    assert {d["niveau"] for d in data["derogations"]} == {"commune", "epci"}
    check = next(v for v in data["verifications"] if v["id"] == "L302-8.IX.al5.derogation-duree-accordee")
    assert check["portee"] == "commune" and check["types"] == ["abaissant"]
    assert "derogation_duree_abaissement_accordee" in check["condition"]
    code, text = run("rules")
    assert code == 0
    derogations = text[text.index("Dérogations (cms-law evaluate"):text.index("Vérifications d'un contrat proposé")]
    block = derogations[derogations.index("L302-8.IX.abaissement — "):]
    block = block[:block.index("\nL302-8.X.mutualisation")]
    assert "article L. 302-8, IX, al. 5 du code" in block  # the appreciation's alinéa, among its grounds
    assert "L302-8.IX.al5.derogation-duree-accordee — " in text[text.index("Vérifications d'un contrat proposé"):]


def test_python_dash_m_is_the_same_command() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cms_law", "evaluate", str(EXAMPLES / "commune_exemple.yaml"), "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(completed.stdout)["periode"] == "2023-2025"


COMMAND_NAMES = ["evaluate", "evaluate-epci", "check-contract", "batch", "diff", "history", "rules", "schema", "serve"]
#: argparse's English words, none of which may reach a user of the command line.
ENGLISH = ["usage", "positional arguments", "optional arguments", "show this help", "error:", "required",
           "invalid choice", "choose from", "unrecognized", "expected one argument", "default:", "exit"]


def usage_output(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(arguments))
    captured = capsys.readouterr()
    return int(stopped.value.code or 0), captured.out + captured.err


@pytest.mark.parametrize("command", [None, *COMMAND_NAMES])
def test_the_help_of_every_command_is_in_french(capsys: pytest.CaptureFixture[str], command: str | None) -> None:
    code, text = usage_output(capsys, *([command] if command else []), "--help")
    assert code == 0
    assert text.startswith(f"utilisation : cms-law{' ' + command if command else ''} [-h]")
    assert "options :\n  -h, --help" in text and "afficher cette aide et quitter" in text
    if command not in ("rules", "serve"):
        assert "arguments positionnels :" in text
    assert not [word for word in ENGLISH if word in text.lower()], text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["evaluer"], "cms-law : erreur : la commande « evaluer » est inconnue ; commandes : evaluate, evaluate-epci,"),
        ([], "cms-law : erreur : arguments obligatoires manquants : COMMANDE"),
        (["evaluate"], "cms-law evaluate : erreur : arguments obligatoires manquants : FICHIER"),
        (["diff", "2022-01-01"], "cms-law diff : erreur : arguments obligatoires manquants : DATE2"),
        (["evaluate", "x.yaml", "--format", "xml"],
         "cms-law evaluate : erreur : argument --format : choix invalide : « xml » (choix possibles : « text », « json »)"),
        (["evaluate", "x.yaml", "--period"], "cms-law evaluate : erreur : argument --period : une valeur est attendue"),
        (["rules", "--bavard"], "cms-law : erreur : arguments inconnus : --bavard"),
        (["batch", "x.csv", "--jobs", "0"], "cms-law batch : erreur : argument --jobs : un nombre entier positif"),
    ],
)
def test_usage_errors_are_french_sentences_and_exit_2(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code, text = usage_output(capsys, *arguments)
    assert code == EXIT_USAGE
    assert text.startswith("utilisation : cms-law")
    assert message in text, text
    assert not [word for word in ENGLISH if word in text.lower()], text


def test_argparse_is_left_as_it_was_for_a_program_embedding_cms_law(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    usage_output(capsys, "--help")
    assert argparse.ArgumentParser(prog="autre").format_help().startswith("usage: autre")


@pytest.mark.parametrize(
    ("command", "example", "first_line"),
    [
        ("evaluate", "commune_exemple.yaml", "Commune : Villeneuve-sur-Exemple (99001)"),
        ("evaluate-epci", "epci_depliant_dhup.yaml", "EPCI : Communauté d'agglomération du dépliant"),
        ("check-contract", "contrat_depliant_abaissant.yaml", "Contrat de mixité sociale"),
        ("history", "commune_historique.yaml", "Commune : Villeneuve-sur-Exemple"),
    ],
)
def test_a_dash_reads_the_standard_input(command: str, example: str, first_line: str) -> None:
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    piped = subprocess.run(
        [sys.executable, "-m", "cms_law", command, "-"], input=text.encode(), capture_output=True, check=False
    )
    from_file = subprocess.run([sys.executable, "-m", "cms_law", command, str(EXAMPLES / example)], capture_output=True, check=False)
    assert piped.stdout.decode().startswith(first_line)
    assert (piped.returncode, piped.stdout) == (from_file.returncode, from_file.stdout)


def test_a_broken_standard_input_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("nom: [\n"))
    code, output = run("evaluate", "-", "--format", "json")
    assert code == EXIT_INPUT
    message = json.loads(output)["erreurs"][0]["message"]
    assert message.startswith("l'entrée standard, ligne 2") and "YAML invalide" in message


def test_evaluate_suggests_the_nearest_field_name(tmp_path: Path) -> None:
    path = tmp_path / "commune.yaml"
    path.write_text(yaml.safe_dump(commune(exemptée=True), allow_unicode=True), encoding="utf-8")
    code, output = run("evaluate", str(path), "--format", "json")
    (problem,) = json.loads(output)["erreurs"]
    assert code == EXIT_INPUT and problem["champ"] == "exemptée"
    assert problem["message"].startswith("champ inconnu ; vouliez-vous dire « exemptee » ? (champs acceptés : nom,")


def test_serve_without_its_extra_says_so_in_french(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import builtins

    real_import = builtins.__import__

    def without_starlette(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "serve" or name.startswith("starlette"):
            raise ModuleNotFoundError("No module named 'starlette'", name="starlette")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_starlette)
    assert main(["serve"]) == EXIT_USAGE
    assert capsys.readouterr().err == (
        "cms-law serve : le module « starlette » manque : installer l'extra « serve » (pip install -e '.[serve]')\n"
    )
