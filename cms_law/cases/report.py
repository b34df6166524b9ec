"""``cms-law test``: case files run, and their report as data, French text, JSON or JUnit XML.

A malformed file is reported as such — its name, the case and the field — and the other files are
still run, as a batch reports a bad row and computes the others. The report's exit status is 0
when every case of every file passes, 1 otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs

from ..explain import reform_as_dict, reform_banner
from ..model import Reform, RuleBook
from .format import CaseFileError, ContractCase, case_files, read_case_file
from .runner import AnyResult, Figure, run_any

FORMATS = ("text", "json", "junit")


@attrs.frozen
class FileReport:
    """One case file: its cases run, or why it could not be read."""

    fichier: str
    resultats: tuple[AnyResult, ...] = ()
    erreur: CaseFileError | None = None


@attrs.frozen
class Report:
    fichiers: tuple[FileReport, ...]
    #: The reform the cases ran under (None: the law).
    reforme: Reform | None = None

    @property
    def results(self) -> list[AnyResult]:
        return [result for file in self.fichiers for result in file.resultats]

    @property
    def reussi(self) -> bool:
        return all(file.erreur is None for file in self.fichiers) and all(r.reussi for r in self.results)

    def bilan(self) -> dict[str, int]:
        results = self.results
        return {
            "cas": len(results),
            "reussis": sum(r.reussi for r in results),
            "echecs": sum(not r.reussi for r in results),
            "fichiers": len(self.fichiers),
            "fichiers_invalides": sum(file.erreur is not None for file in self.fichiers),
        }


def run_paths(paths: Iterable[str | Path], book: RuleBook | None = None) -> Report:
    """Every case of the files and folders given, run with ``book`` (the rules shipped by default).

    Ids must be unique within a file; two files may reuse an id (they are reported apart).
    """
    files: list[FileReport] = []
    for given in paths:
        try:
            found = case_files(Path(given))
        except CaseFileError as error:
            files.append(FileReport(str(given), erreur=error))
            continue
        for path in found:
            try:
                cases = read_case_file(path)
            except CaseFileError as error:
                files.append(FileReport(str(path), erreur=error))
                continue
            files.append(FileReport(str(path), tuple(run_any(case, book) for case in cases)))
    return Report(tuple(files), book.reforme if book is not None else None)


# --------------------------------------------------------------------------- data


def _figure_as_dict(figure: Figure) -> dict[str, Any]:
    return {
        "sortie": figure.sortie,
        "attendu": figure.attendu,
        "obtenu": figure.obtenu,
        "reussi": not figure.ecarts,
        "ecarts": list(figure.ecarts),
        "regles": list(figure.regles),
        "citations": list(figure.citations),
    }


def _result_as_dict(result: AnyResult) -> dict[str, Any]:
    case = result.cas
    return {
        "id": case.id,
        "type": "contrat" if isinstance(case, ContractCase) else "commune",
        "verifie": list(case.verifie),
        "description": case.description,
        "reussi": result.reussi,
        "ecarts": list(result.ecarts),
        "chiffres": [_figure_as_dict(figure) for figure in result.chiffres],
    }


def report_as_dict(report: Report) -> dict[str, Any]:
    """The report as ``cms-law test --format json`` prints it (schema ``resultat-test``)."""
    return {
        **({"reforme": reform_as_dict(report.reforme)} if report.reforme else {}),
        "reussi": report.reussi,
        "bilan": report.bilan(),
        "fichiers": [
            {
                "fichier": file.fichier,
                "erreur": None if file.erreur is None else {
                    "message": file.erreur.message, "cas": file.erreur.cas, "champ": file.erreur.champ,
                },
                "cas": [_result_as_dict(result) for result in file.resultats],
            }
            for file in report.fichiers
        ],
    }


# --------------------------------------------------------------------------- French text


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if value is None:
        return "aucune valeur"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _figure_line(figure: Figure) -> str:
    mark = "ok" if not figure.ecarts else "ÉCART"
    line = f"      [{mark}] {figure.sortie} : attendu {_shown(figure.attendu)}, obtenu {_shown(figure.obtenu)}"
    if figure.citations:
        line += f" — {' ; '.join(figure.citations)}"
    return line


def report_text(report: Report) -> str:
    lines: list[str] = [reform_banner(report.reforme).rstrip("\n"), ""] if report.reforme else []
    for file in report.fichiers:
        lines.append(file.fichier)
        if file.erreur is not None:
            lines.append(f"  FICHIER INVALIDE : {file.erreur}")
            continue
        for result in file.resultats:
            verdict = "RÉUSSI" if result.reussi else "ÉCHEC "
            lines.append(f"  {verdict} {result.id} (vérifie {' ; '.join(result.cas.verifie)})")
            for figure in result.chiffres:
                lines.append(_figure_line(figure))
                if isinstance(figure.attendu, (dict, list)):
                    lines.extend(f"          {ecart}" for ecart in figure.ecarts)
            shown = {ecart for figure in result.chiffres for ecart in figure.ecarts}
            lines.extend(f"      {ecart}" for ecart in result.ecarts if ecart not in shown)
    bilan = report.bilan()
    lines.append("")
    lines.append(
        f"Bilan : {bilan['cas']} cas, {bilan['reussis']} réussi(s), {bilan['echecs']} en échec"
        f" ; {bilan['fichiers']} fichier(s), dont {bilan['fichiers_invalides']} invalide(s)."
    )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- JUnit XML


def report_junit(report: Report) -> str:
    """JUnit XML, as CI systems read it: a suite per file, a test per case; a malformed file is an
    error of its suite."""
    bilan = report.bilan()
    root = ElementTree.Element(
        "testsuites",
        name="cms-law test",
        tests=str(bilan["cas"] + bilan["fichiers_invalides"]),
        failures=str(bilan["echecs"]),
        errors=str(bilan["fichiers_invalides"]),
    )
    for file in report.fichiers:
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=file.fichier,
            tests=str(len(file.resultats) or 1 if file.erreur else len(file.resultats)),
            failures=str(sum(not r.reussi for r in file.resultats)),
            errors="1" if file.erreur else "0",
        )
        classname = Path(file.fichier).stem
        if report.reforme is not None:
            properties = ElementTree.SubElement(suite, "properties")
            for name, value in (("reforme", report.reforme.titre), ("reforme_empreinte", report.reforme.empreinte)):
                ElementTree.SubElement(properties, "property", name=name, value=value)
        if file.erreur is not None:
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name="lecture du fichier")
            ElementTree.SubElement(case, "error", message=str(file.erreur), type="CaseFileError").text = str(file.erreur)
            continue
        for result in file.resultats:
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name=result.id)
            details = "\n".join([f"vérifie : {', '.join(result.cas.verifie)}", *map(_figure_line, result.chiffres)])
            if not result.reussi:
                failure = ElementTree.SubElement(case, "failure", message=" ; ".join(result.ecarts), type="ecart")
                failure.text = details + "\n" + "\n".join(result.ecarts)
            else:
                ElementTree.SubElement(case, "system-out").text = details
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def render(report: Report, output_format: str) -> str:
    """The report in ``text``, ``json`` or ``junit``."""
    if output_format == "json":
        return json.dumps(report_as_dict(report), ensure_ascii=False, indent=2) + "\n"
    if output_format == "junit":
        return report_junit(report)
    return report_text(report)

