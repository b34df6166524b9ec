"""``cms-law batch``: whole CSV inventories, with every bad row reported and nothing lost."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cms_law import batch, load_rulebook
from cms_law.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER = (
    "nom,code_insee,population,unite_urbaine_paris,agglomeration_ou_epci_eligible,taux_cible,"
    "residences_principales,logements_sociaux,plh,periode"
)
GOOD = "Villeneuve-sur-Exemple,99001,18450,non,oui,25 %,8200,1714,oui,"
# Each bad row, the field the errors file must blame and a word of the reason it must give.
BAD = {
    "Sans-Population,99002,,non,oui,25 %,4000,500,oui,": ("population", "obligatoire"),
    "Texte,99003,douze mille,non,oui,25 %,4000,500,oui,": ("population", "entier"),
    "Trop-De-Sociaux,99004,12000,non,oui,25 %,4000,4500,oui,": ("logements_sociaux", "dépasser"),
    "Periode-Inconnue,99005,12000,non,oui,25 %,4000,500,oui,2024-2026": ("periode", "triennale"),
    "Booleen,99006,12000,peut-être,oui,25 %,4000,500,oui,": ("unite_urbaine_paris", "vrai ou faux"),
    "Cellule-En-Trop,99007,12000,non,oui,25 %,4000,500,oui,,": ("ligne", "colonnes"),
}


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a results or errors file (results open with a comment: what produced them)."""
    with path.open(encoding="utf-8", newline="") as stream:
        lines = [line for line in stream if not line.startswith("# Produit par cms-law ")]
        return list(csv.DictReader(lines))


def communes(count: int) -> list[str]:
    """``count`` valid rows, all different, covering subject and non-subject communes."""
    return [
        f"Commune-{i},99{i:03d},{1000 + 97 * i},{'oui' if i % 5 == 0 else 'non'},oui,"
        f"{'20 %' if i % 3 == 0 else '25 %'},{500 + 41 * i},{(7 * i) % (500 + 41 * i)},{'oui' if i % 2 else 'non'},"
        for i in range(1, count + 1)
    ]


def test_bad_rows_go_to_the_errors_file_and_the_good_rows_are_all_evaluated(tmp_path, capsys):
    source = write_csv(tmp_path / "communes.csv", ["# un commentaire", HEADER, GOOD, *BAD, GOOD.replace("99001", "99008")])
    output = tmp_path / "resultats.csv"

    assert main(["batch", str(source), "-o", str(output), "--jobs", "1"]) == 4

    rows = read_rows(output)
    assert [(row["ligne"], row["code_insee"]) for row in rows] == [("3", "99001"), ("10", "99008")]
    assert rows[0]["objectif_triennal"] == "111"
    assert rows[0]["plai_minimum"] == "34" and rows[0]["pls_maximum"] == "33"
    assert rows[0]["soumise"] == "oui" and rows[0]["regime"] == "L. 302-8, VII, al. 1"
    assert "objectif triennal de 111" in rows[0]["resume"]
    errors = read_rows(tmp_path / "resultats.erreurs.csv")
    assert [int(error["ligne"]) for error in errors] == list(range(4, 10))
    for error, (champ, reason) in zip(errors, BAD.values()):
        assert error["champ"] == champ
        assert reason in error["message"]
    assert errors[1]["valeur"] == "douze mille"
    report = capsys.readouterr().err
    assert "Communes évaluées : 2 sur 8 lignes" in report
    assert "Lignes rejetées : 6" in report


def test_windows_1252_with_semicolons_and_decimal_commas(tmp_path):
    lines = [
        HEADER.replace(",", ";"),
        "Évry-l'Exemple;99001;18450;non;oui;0,25;8200;1714;oui;",
        "Sète-Exemple;99002;18 450;Non;Vrai;20 %;8200;1714;1;2023-2025",
    ]
    source = write_csv(tmp_path / "excel.csv", lines, encoding="cp1252")
    output = tmp_path / "resultats.csv"

    assert main(["batch", str(source), "-o", str(output), "--jobs", "1"]) == 0

    first, second = read_rows(output)
    assert first["nom"] == "Évry-l'Exemple" and first["taux_cible"] == "0.25"
    assert first["objectif_triennal"] == "111"
    assert second["nom"] == "Sète-Exemple" and second["taux_cible"] == "0.2"


def test_utf8_with_bom(tmp_path):
    source = tmp_path / "bom.csv"
    source.write_bytes("\ufeff".encode() + f"{HEADER}\n{GOOD}\n".encode())

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == 0
    assert read_rows(tmp_path / "out.csv")[0]["nom"] == "Villeneuve-sur-Exemple"


def test_json_lines_with_explanations(tmp_path):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD, next(iter(BAD))])
    output = tmp_path / "resultats.jsonl"

    code = main(["batch", str(source), "-o", str(output), "--format", "json", "--explain", "--jobs", "1"])

    assert code == 4
    (result,) = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert result["ligne"] == 2 and result["commune"]["code_insee"] == "99001"
    assert result["objectif_triennal"] == 111 and result["typologie"] == {"plai_minimum": 34, "pls_maximum": 33}
    assert result["resume"].startswith("Villeneuve-sur-Exemple (99001), 2023-2025 : soumise")
    assert any(step["regle"] == "L302-8.I.objectif-triennal" for step in result["explication"])
    (error,) = [json.loads(line) for line in (tmp_path / "resultats.erreurs.jsonl").read_text().splitlines()]
    assert error["ligne"] == 3 and error["erreurs"][0]["champ"] == "population"


def test_csv_explanation_column_only_on_request(tmp_path):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])
    main(["batch", str(source), "-o", str(tmp_path / "court.csv"), "--jobs", "1"])
    main(["batch", str(source), "-o", str(tmp_path / "long.csv"), "--explain", "--jobs", "1"])

    assert "explication" not in read_rows(tmp_path / "court.csv")[0]
    explanation = read_rows(tmp_path / "long.csv")[0]["explication"]
    assert "Raisonnement" in explanation and "336 de plus" in explanation


def test_two_jobs_give_the_same_file_as_one_in_input_order(tmp_path):
    rows = communes(120)
    rows[17] = rows[17].replace(",oui,", ",peut-être,", 1)
    source = write_csv(tmp_path / "communes.csv", [HEADER, *rows])
    outputs = {}
    for jobs in ("1", "2"):
        output = tmp_path / f"jobs{jobs}.csv"
        assert main(["batch", str(source), "-o", str(output), "--jobs", jobs, "--explain"]) == 4
        outputs[jobs] = (output.read_bytes(), (tmp_path / f"jobs{jobs}.erreurs.csv").read_bytes())

    assert outputs["1"] == outputs["2"]
    lines = [int(row["ligne"]) for row in read_rows(tmp_path / "jobs2.csv")]
    assert lines == [n for n in range(2, 122) if n != 19]


def test_interruption_leaves_a_valid_file_with_the_rows_done(tmp_path, monkeypatch, capsys):
    source = write_csv(tmp_path / "communes.csv", [HEADER, *communes(10)])
    output = tmp_path / "resultats.csv"
    real_evaluate = batch.rows.evaluate
    calls = []

    def ctrl_c_during_the_fourth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            os.kill(os.getpid(), signal.SIGINT)
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(batch.rows, "evaluate", ctrl_c_during_the_fourth)

    assert main(["batch", str(source), "-o", str(output), "--jobs", "1"]) == 130

    rows = read_rows(output)
    assert [row["ligne"] for row in rows] == ["2", "3", "4", "5"]
    assert all(row["resume"] for row in rows)
    (end,) = read_rows(tmp_path / "resultats.erreurs.csv")
    assert (end["ligne"], end["champ"]) == ("0", "lot")
    assert "4 lignes traitées sur 10 ; les lignes après la ligne 5 n'ont pas été évaluées" in end["message"]
    report = capsys.readouterr().err
    assert "Arrêt : lot interrompu (Ctrl-C) : 4 lignes traitées sur 10" in report
    assert "Résultats : " + str(output) + " (partiels : 4 lignes sur 10" in report


def test_ctrl_c_on_a_running_batch(tmp_path):
    """A real SIGINT, as a terminal sends it to every process of the batch."""
    source = write_csv(tmp_path / "communes.csv", [HEADER, *communes(999) * 4])
    output = tmp_path / "resultats.csv"
    command = [sys.executable, "-m", "cms_law", "batch", str(source), "-o", str(output), "--jobs", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    while process.poll() is None and sum(len(p.read_bytes().splitlines()) for p in partial(output)) < 50:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, report = process.communicate(timeout=60)

    assert process.returncode == 130, report
    rows = read_rows(output)
    assert 0 < len(rows) < 3996
    assert [int(row["ligne"]) for row in rows] == list(range(2, 2 + len(rows)))
    assert all(row["resume"].endswith(".") for row in rows)
    assert "Arrêt : lot interrompu (Ctrl-C)" in report


def partial(output: Path) -> list[Path]:
    """The file a batch writes before giving it the name ``output``."""
    return list(output.parent.glob(f".{output.name}.*.partiel"))


def test_the_examples(tmp_path):
    output = tmp_path / "inventaire.csv"
    assert main(["batch", str(EXAMPLES / "communes_inventaire.csv"), "-o", str(output)]) == 0
    assert len(read_rows(output)) >= 50

    output = tmp_path / "avec_erreurs.csv"
    assert main(["batch", str(EXAMPLES / "communes_avec_erreurs.csv"), "-o", str(output)]) == 4
    errors = read_rows(tmp_path / "avec_erreurs.erreurs.csv")
    assert {error["champ"] for error in errors} >= {"population", "logements_sociaux", "periode", "ligne"}


def test_errors_file_where_asked_and_results_on_stdout(tmp_path, capsys):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD, next(iter(BAD))])
    errors = tmp_path / "rejets.csv"

    assert main(["batch", str(source), "--errors", str(errors), "--jobs", "1"]) == 4

    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("# Produit par cms-law ") and load_rulebook().empreinte in printed[0]
    assert printed[1].startswith("ligne,nom,code_insee") and len(printed) == 3
    assert read_rows(errors)[0]["ligne"] == "3"


def test_a_clean_batch_still_writes_an_empty_errors_file(tmp_path):
    """A stale errors file from an earlier run must not be taken for this run's."""
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])
    (tmp_path / "out.erreurs.csv").write_text("ligne,champ\n9,ancienne erreur\n")

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--jobs", "1"]) == 0
    assert read_rows(tmp_path / "out.erreurs.csv") == []


@pytest.mark.parametrize(
    ("header", "champ", "said"),
    [
        (HEADER.replace("plh", "exemptée"), "exemptée", "vouliez-vous dire « exemptee »"),
        (HEADER.replace("plh,", ""), "plh", "colonne obligatoire absente"),
        (HEADER + ",nom", "nom", "en double"),
    ],
)
def test_a_wrong_header_is_refused_before_any_row(tmp_path, capsys, header, champ, said):
    source = write_csv(tmp_path / "communes.csv", [header, GOOD])

    assert main(["batch", str(source), "-o", str(tmp_path / "out.csv")]) == 1

    report = capsys.readouterr().err
    assert f"{champ} : " in report and said in report
    assert not (tmp_path / "out.csv").exists()


def test_invalid_options_are_refused(tmp_path, capsys):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])

    assert main(["batch", str(source), "-o", str(source)]) == 2
    assert "fichier d'entrée" in capsys.readouterr().err
    # A wrong option is a misuse of the command (exit 2), as argparse's own errors are.
    assert main(["batch", str(source), "--period", "2023"]) == 2
    assert main(["batch", str(source), "--period", "1999-2001"]) == 2
    assert main(["batch", str(source), "--convention", "arrondi_objectifs=au_hasard"]) == 2
    assert main(["batch", str(source), "--convention", "arrondi_objectifs"]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["batch", str(source), "--jobs", "0"])
    assert usage.value.code == 2


def test_conventions_apply_to_every_row(tmp_path):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])
    output = tmp_path / "out.jsonl"

    main(["batch", str(source), "-o", str(output), "--format", "json", "--convention", "arrondi_objectifs=inferieur"])

    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["objectif_triennal"] == 110
    assert result["conventions"]["arrondi_objectifs"] == {"valeur": "inferieur", "par_defaut": False}


def test_the_summary_sentence_and_the_totals_come_from_the_vocabulary(tmp_path, rules_copy, monkeypatch, capsys):
    """Principle 1: the engine knows no legal name; the one-line summary and the batch's totals
    are written in rules/vocabulaire.yaml, and editing it changes them."""

    def edit(data):
        data["syntheses"]["commune"] = [
            {"si": "fourni(objectif_triennal)", "texte": "{objectif_triennal} à réaliser ({taux_rattrapage.citation})"},
            {"si": "non fourni(objectif_triennal)", "texte": "rien à réaliser ({soumise.motif})"},
        ]
        data["syntheses"]["bilan"] = [
            {"cle": "avec_objectif", "libelle": "avec un objectif", "compte": "fourni(objectif_triennal)"},
            {"cle": "manquants", "libelle": "logements manquants", "somme": "logements_manquants", "unite": "logements"},
        ]

    book = rules_copy("vocabulaire.yaml", edit)
    monkeypatch.setattr(batch, "load_rulebook", lambda: book)
    rows = communes(12)
    source = write_csv(tmp_path / "communes.csv", [HEADER, *rows])
    output = tmp_path / "resultats.csv"

    summary = batch.run(source, output, jobs=1, stderr=sys.stderr)

    results = read_rows(output)
    with_objective = [row for row in results if row["objectif_triennal"]]
    assert with_objective and len(with_objective) < len(results)
    for row in results:
        code = f"{row['nom']} ({row['code_insee']}), 2023-2025 : "
        if row["objectif_triennal"]:
            assert row["resume"] == f"{code}{row['objectif_triennal']} à réaliser ({row['regime']})"
        else:
            assert row["resume"].startswith(f"{code}rien à réaliser (")
    missing = sum(int(row["logements_manquants"] or 0) for row in results)
    assert summary.totaux == {"avec_objectif": len(with_objective), "manquants": missing}
    report = capsys.readouterr().err
    assert f"    avec un objectif : {len(with_objective)}\n" in report
    assert "soumises" not in report


def test_the_one_line_summaries_are_well_formed_french_sentences(tmp_path):
    """The fragments of ``syntheses.commune`` keep the spaces that join them (« manquants ; objectif »,
    « PLAI et au plus »): one sentence of each kind, exactly, from the example inventory."""
    output = tmp_path / "resultats.csv"
    batch.run(EXAMPLES / "communes_inventaire.csv", output, jobs=1)
    # Babel writes « 14,58 % » with a no-break space before the sign.
    summaries = {row["ligne"]: row["resume"].replace("\xa0%", " %") for row in read_rows(output)}

    assert summaries["5"] == (
        "Morvenne-sur-Mer (99101), 2023-2025 : soumise et déficitaire, 14,58 % de logements sociaux pour"
        " un taux cible de 20 %, 367 logements sociaux manquants ; objectif triennal de 122 logements"
        " sociaux (L. 302-8, VII, al. 1), dont au moins 37 en PLAI et au plus 36 en PLS."
    )
    assert summaries["6"] == (
        "Castelbrune-les-Bains (99102), 2023-2025 : non soumise (commune hors d'une agglomération ou d'un"
        " EPCI éligible) ; 11,43 % de logements sociaux pour un taux cible de 25 %."
    )
    assert summaries["41"] == (
        "Gervilliers (99137), 2023-2025 : soumise et déficitaire, 12,15 % de logements sociaux pour un"
        " taux cible de 25 %, 714 logements sociaux manquants ; exemptée pour la période, objectif"
        " triennal de 0 logement social."
    )
    for summary in summaries.values():
        assert "  " not in summary and not re.search(r";\S|,[^ \d]|\S;|[^\s(](et|en) ", summary), summary


def test_run_from_python_prints_nothing_unless_asked(tmp_path, capfd):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])

    summary = batch.run(source, tmp_path / "resultats.csv", jobs=1, periode="2023-2025")

    assert summary.evaluated == 1
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")
    report = io.StringIO()
    batch.run(source, tmp_path / "resultats.csv", jobs=1, stderr=report)
    assert "Communes évaluées : 1 sur 1 lignes" in report.getvalue()


def test_the_former_name_period_still_works_with_a_deprecation_warning(tmp_path):
    source = write_csv(tmp_path / "communes.csv", [HEADER, GOOD])

    with pytest.warns(DeprecationWarning, match="periode"):
        summary = batch.run(source, tmp_path / "resultats.csv", jobs=1, period="2026-2028")

    assert read_rows(tmp_path / "resultats.csv")[0]["periode"] == "2026-2028" and summary.evaluated == 1
