"""Every result says what produced it (issue 13, part 3): cms-law's version, the JSON format's,
the fingerprint of the rule files loaded, the law version and the conventions applied — in its
JSON, at the end of its French text, in the comment that opens a batch's CSV results."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cms_law import FORMAT_JSON, __version__, load_rulebook
from cms_law.cli import main
from cms_law.loader import load_rulebook_from, rules_root

EXAMPLES = Path(__file__).parent.parent / "examples"
COMMUNE = EXAMPLES / "commune_exemple.yaml"


def _expected_fingerprint(folder: Path) -> str:
    """The documented canonical form, computed here independently of the loader."""
    files = sorted([folder / "lois.yaml", folder / "vocabulaire.yaml", *folder.glob("*/*/*.yaml")])
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(folder).as_posix()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def test_the_fingerprint_is_of_the_rule_files_loaded_and_not_of_their_place(tmp_path: Path) -> None:
    shipped = Path(str(rules_root()))
    assert load_rulebook().empreinte == _expected_fingerprint(shipped)
    elsewhere = tmp_path / "ailleurs" / "regles"
    shutil.copytree(shipped, elsewhere)
    assert load_rulebook_from(elsewhere).empreinte == load_rulebook().empreinte
    (elsewhere / "README.md").write_text("ce fichier n'est pas une règle", encoding="utf-8")
    assert load_rulebook_from(elsewhere).empreinte == load_rulebook().empreinte
    laws = elsewhere / "lois.yaml"
    laws.write_bytes(laws.read_bytes() + b"\n# un commentaire change l'empreinte\n")
    assert load_rulebook_from(elsewhere).empreinte == _expected_fingerprint(elsewhere) != load_rulebook().empreinte


@pytest.mark.parametrize(
    "arguments,law",
    [
        (["evaluate", str(COMMUNE), "--format", "json", "--convention", "arrondi_objectifs=plus_proche"], str),
        (["evaluate-epci", str(EXAMPLES / "epci_depliant_dhup.yaml"), "--format", "json"], str),
        (["check-contract", str(EXAMPLES / "contrat_depliant_mutualisant.yaml"), "--format", "json"], str),
        (["history", str(EXAMPLES / "commune_historique.yaml"), "--format", "json"], list),
    ],
)
def test_every_json_result_says_what_produced_it(arguments: list[str], law: type) -> None:
    out = io.StringIO()
    assert main(arguments, stdout=out) in (0, 5)
    produced = json.loads(out.getvalue())["produit_par"]
    assert produced["cms_law"] == __version__ and produced["format_json"] == FORMAT_JSON
    assert produced["empreinte_regles"] == load_rulebook().empreinte
    assert isinstance(produced["version_loi"], law) and produced["version_loi"]
    assert set(produced["conventions"]) == set(load_rulebook().conventions)
    if "--convention" in arguments:
        assert produced["conventions"]["arrondi_objectifs"] == "plus_proche"


def test_the_french_text_ends_with_what_produced_it() -> None:
    out = io.StringIO()
    assert main(["evaluate", str(COMMUNE)], stdout=out) == 0
    last = out.getvalue().rstrip("\n").splitlines()[-2:]
    assert last[0].startswith(f"Produit par cms-law {__version__} (format JSON {FORMAT_JSON}) ; version du droit : 3DS")
    assert last[1] == f"Empreinte des fichiers de règles (sha256) : {load_rulebook().empreinte}."


def test_batch_json_lines_and_csv_results_say_what_produced_them(tmp_path: Path) -> None:
    source = EXAMPLES / "communes_inventaire.csv"
    lines = tmp_path / "resultats.jsonl"
    assert main(["batch", str(source), "--format", "json", "-o", str(lines), "--jobs", "1"]) == 0
    for line in lines.read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["produit_par"]["empreinte_regles"] == load_rulebook().empreinte
    table = tmp_path / "resultats.csv"
    assert main(["batch", str(source), "-o", str(table), "--jobs", "1"]) == 0
    first = table.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"# Produit par cms-law {__version__} (format JSON {FORMAT_JSON})")
    assert load_rulebook().empreinte in first and "version du droit : colonne version_loi" in first


def test_the_same_input_gives_byte_identical_json_across_processes_and_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "4242", "random"):
        for command in (["evaluate", str(COMMUNE)], ["evaluate-epci", str(EXAMPLES / "epci_depliant_dhup.yaml")]):
            done = subprocess.run(
                [sys.executable, "-m", "cms_law", *command, "--format", "json"],
                capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
            )
            outputs.add((command[0], hashlib.sha256(done.stdout).hexdigest()))
    assert len(outputs) == 2, outputs
