"""The outputs that must not change unless the law encoded changes, and their reference copies.

What is compared (``tests/test_reference_outputs.py``), byte for byte:

* every legal case of ``tests/cas/`` (JSON and French text of the evaluation, or the error) and of
  ``tests/cas_contrats/`` (JSON, text and CSV of the verdict);
* every example of ``examples/`` through the command a user would type (JSON, text, CSV…), with
  its exit code;
* a batch of 10 000 synthetic communes drawn with a fixed seed (``benchmarks/synthetic.py``), in
  CSV on one process and in JSON lines on two, each digested per block of rows, with the first
  rows kept in plain text.

The reference copies are ``cas_et_exemples.json.xz`` (every output in full, compressed) and
``lot_10000.json`` (the batch's digests). When the law legitimately changes, regenerate them and
review the difference before committing (see ``README.md`` beside this file)::

    .venv/bin/python tests/reference/outputs.py --ecrire          # rewrite the reference copies
    .venv/bin/python tests/reference/outputs.py --vider DOSSIER   # every output as plain files
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import lzma
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "cas_et_exemples.json.xz"
BATCH_FILE = HERE / "lot_10000.json"
EXAMPLES = ROOT / "examples"
BATCH_ROWS, BATCH_SEED, BLOCK_ROWS, EXCERPT_ROWS = 10_000, 2023, 500, 12

if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import reference_communes, write_csv  # noqa: E402

from cms_law import InputError, evaluate  # noqa: E402
from cms_law.cases import load_cases, load_contract_cases  # noqa: E402
from cms_law.cli import main as cli  # noqa: E402
from cms_law.contract import check_contract  # noqa: E402

#: The commands run on each kind of example, by the start of the file's name.
_EXAMPLE_COMMANDS = {
    "commune_historique": [["history", "--format", "json"], ["history", "--format", "csv"], ["history"]],
    "commune_": [["evaluate", "--format", "json"], ["evaluate"]],
    "epci_": [["evaluate-epci", "--format", "json"], ["evaluate-epci"]],
    "contrat_": [["check-contract", "--format", "json"], ["check-contract", "--format", "csv"], ["check-contract"]],
    # A reform is read by the commands it changes: « {} » stands for it.
    "reforme_": [
        ["evaluate", "commune_exemple.yaml", "--reforme", "{}", "--format", "json"],
        ["evaluate", "commune_exemple.yaml", "--reforme", "{}"],
        ["compare", "communes_inventaire.csv", "--reforme", "{}", "--format", "json", "--jobs", "1"],
        ["compare", "communes_inventaire.csv", "--reforme", "{}", "--jobs", "1"],
    ],
}


def case_outputs() -> Iterator[tuple[str, str]]:
    """Each legal case's outputs, keyed ``cas:ID:…`` and ``contrat:ID:…``."""
    for case in load_cases(ROOT / "tests" / "cas"):
        try:
            result = evaluate(case.entree, case.periode, case.conventions)
        except InputError as error:
            yield f"cas:{case.id}:erreur", str(error)
            continue
        yield f"cas:{case.id}:json", result.to_json()
        yield f"cas:{case.id}:texte", result.texte()
    for contract in load_contract_cases(ROOT / "tests" / "cas_contrats"):
        verdict = check_contract(contract.contrat, contract.periode, contract.conventions)
        yield f"contrat:{contract.id}:json", verdict.to_json()
        yield f"contrat:{contract.id}:texte", verdict.texte()
        yield f"contrat:{contract.id}:csv", verdict.csv()


def _run(arguments: list[str]) -> str:
    """The command line as a user runs it: what it prints, and its exit code."""
    out = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):
        code = cli(arguments, stdout=out)
    return f"{out.getvalue()}[code de sortie {code}]\n"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else "(aucun fichier)\n"


def example_outputs() -> Iterator[tuple[str, str]]:
    """Each example through each command that reads it, keyed ``exemple:FILE:COMMAND``."""
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix not in (".yaml", ".json", ".csv"):  # the folder is also the package cms_law.examples
            continue
        if ".erreurs." in path.name:  # what a batch run to the standard output leaves beside its input
            continue
        if path.suffix == ".csv":
            with tempfile.TemporaryDirectory() as directory:
                for output_format in ("csv", "json"):
                    results = Path(directory) / f"resultats.{output_format}"
                    errors = Path(directory) / "erreurs.csv"
                    options = ["--format", output_format, "--explain", "--jobs", "1"]
                    code = _run(["batch", str(path), "-o", str(results), "--errors", str(errors), *options])
                    key = f"exemple:{path.name}:batch {' '.join(options)}"
                    yield key, code + results.read_text(encoding="utf-8") + _text(errors)
            continue
        prefix = next((p for p in _EXAMPLE_COMMANDS if path.name.startswith(p)), None)
        if prefix is None:
            raise AssertionError(f"{path.name} : aucune commande de référence pour cet exemple")
        for command in _EXAMPLE_COMMANDS[prefix]:
            if "{}" in command:
                shown = " ".join(path.name if word == "{}" else word for word in command)
                arguments = [str(path) if word == "{}" else str(EXAMPLES / word) if (EXAMPLES / word).is_file() else word
                             for word in command]
                yield f"exemple:{path.name}:{shown}", _run(arguments)
                continue
            yield f"exemple:{path.name}:{' '.join(command)}", _run([command[0], str(path), *command[1:]])


def batch_outputs(directory: Path) -> dict[str, Any]:
    """The fixed-seed batch: digests of its input, and of its outputs per block of rows."""
    source = directory / "entree.csv"
    write_csv(source, reference_communes(BATCH_ROWS, BATCH_SEED))
    found: dict[str, Any] = {"entree": hashlib.sha256(source.read_bytes()).hexdigest()}
    for output_format, jobs in (("csv", "1"), ("json", "2")):
        results = directory / f"lot.{output_format}"
        errors = directory / f"lot.erreurs.{output_format}.csv"
        command = ["batch", str(source), "-o", str(results), "--errors", str(errors), "--format", output_format]
        code = _run([*command, "--jobs", jobs])
        lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
        found[output_format] = {
            "code": code,
            "lignes": len(lines),
            "blocs": [
                hashlib.sha256("".join(lines[start : start + BLOCK_ROWS]).encode()).hexdigest()[:32]
                for start in range(0, len(lines), BLOCK_ROWS)
            ],
            "extrait": "".join(lines[:EXCERPT_ROWS]) if output_format == "csv" else "",
            "erreurs": _text(errors),
        }
    return found


def read_references() -> tuple[dict[str, str], dict[str, Any]]:
    cases = json.loads(lzma.decompress(CASES_FILE.read_bytes()).decode("utf-8"))
    return cases, json.loads(BATCH_FILE.read_text(encoding="utf-8"))


def _write() -> None:
    outputs = dict(case_outputs()) | dict(example_outputs())
    text = json.dumps(outputs, ensure_ascii=False, indent=0, sort_keys=True)
    CASES_FILE.write_bytes(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
    with tempfile.TemporaryDirectory() as directory:
        batch = batch_outputs(Path(directory))
    BATCH_FILE.write_text(json.dumps(batch, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(outputs)} sorties de référence écrites dans {CASES_FILE.name} ; lot écrit dans {BATCH_FILE.name}")


def _dump(directory: Path) -> None:
    """Every output as a plain file (and the batch's whole outputs), to diff two versions."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, text in [*case_outputs(), *example_outputs()]:
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key)
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    batch_outputs(directory)
    print(f"sorties écrites dans {directory}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Sorties de référence de cms-law")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--ecrire", action="store_true", help="réécrire les copies de référence")
    action.add_argument("--vider", metavar="DOSSIER", type=Path, help="écrire chaque sortie dans DOSSIER")
    arguments = parser.parse_args()
    if arguments.ecrire:
        _write()
    else:
        _dump(arguments.vider)
