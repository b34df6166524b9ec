"""One row of a batch: its cells checked as ``cms-law evaluate`` checks a commune, its result serialised.

Whatever happens to a row ends as a :class:`RowOutcome`: its serialised result, or the problems
that go to the errors file. An input problem names its field; a failing rule is a defect of the
rules to report; any other exception, a defect of cms-law, is caught too and reported as « erreur
interne » with an identifier drawn from where it happened (:func:`internal_error_id`), the same for
the same defect on every row and every run, so that one report covers them all. One row never ends
the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from ..errors import CmsLawError, InputError, internal_error_id
from ..evaluator import evaluate
from ..explain import evaluation_figures, json_value, summary, to_json
from ..expressions import is_number, truth
from ..model import Evaluation, RuleBook, Total
from .reading import PERIOD_COLUMN, Unreadable
from .cells import csv_line, plain

#: The columns identifying a row in the results and in the errors file.
IDENTIFICATION = ("ligne", "nom", "code_insee")
#: How CSV cells may write a boolean (compared lower-cased).
BOOLEANS = {"oui": True, "vrai": True, "true": True, "1": True, "non": False, "faux": False, "false": False, "0": False}
FORMATS = ("csv", "json")
#: How the errors file names a row's internal error (a defect of cms-law, to report).
INTERNAL = "erreur interne"
# An echoed cell is cut to this many characters: the errors file must stay readable.
_SHOWN = 200


@attrs.frozen
class Settings:
    """What every row of a batch shares; sent once to each worker process."""

    columns: tuple[str, ...]
    period: str | None
    conventions: Mapping[str, str]
    output_format: str
    explain: bool


@attrs.frozen
class RowOutcome:
    """The fate of one row: its serialised result, or its problems (champ, message, valeur)."""

    ligne: int
    nom: str
    code_insee: str
    sortie: str | None = None
    problemes: tuple[tuple[str, str, str], ...] = ()
    rule_failure: bool = False
    #: The identifier of the defect of cms-law that stopped this row, if one did.
    internal_error: str | None = None
    #: This commune's part of each of the batch's totals (``syntheses.bilan``), in their order.
    totaux: tuple[int | Fraction, ...] = ()


#: The columns a row computed under a reform gains: the reform's title and fingerprint.
REFORM_COLUMNS = ("reforme", "reforme_empreinte")


def output_columns(book: RuleBook, explain: bool) -> tuple[str, ...]:
    """The CSV result columns: the identification, the JSON output keys (groups spread), the summary."""
    figures: list[str] = ["periode", "version_loi"]
    for entry in book.sorties:
        if isinstance(entry, str):
            figures.append(entry)
        else:
            ((key, spec),) = entry.items()
            figures.extend(spec if isinstance(spec, list) else [key])
    # Under a reform, each row says which: a reformed figure must not pass for the law's.
    stamp = REFORM_COLUMNS if book.reforme is not None else ()
    return (*IDENTIFICATION, *stamp, *figures, "resume", *(("explication",) if explain else ()))


class RowEvaluator:
    """Turns one record of the CSV file into a :class:`RowOutcome`; one per process."""

    def __init__(self, book: RuleBook, settings: Settings) -> None:
        self.book = book
        self.settings = settings
        self.booleans = frozenset(field.cle for field in book.entrees if field.type == "booleen")
        self.columns = output_columns(book, settings.explain)

    def __call__(self, line: int, cells: Sequence[str] | Unreadable) -> RowOutcome:
        read = cells.cells if isinstance(cells, Unreadable) else cells
        row = dict(zip(self.settings.columns, (cell.strip() for cell in read)))
        nom, code_insee = row.get("nom", "")[:_SHOWN], row.get("code_insee", "")[:_SHOWN]
        if isinstance(cells, Unreadable):
            return RowOutcome(line, nom, code_insee, problemes=(("ligne", cells.message, ""),))
        try:
            return self._evaluated(line, row, nom, code_insee)
        except Exception as error:  # noqa: BLE001 - a defect on one row must never end the others
            identifier = internal_error_id(error)
            message = f"{INTERNAL} (identifiant {identifier}) : défaut de cms-law à signaler avec cette ligne"
            return RowOutcome(line, nom, code_insee, problemes=(("ligne", message, ""),), internal_error=identifier)

    def _evaluated(self, line: int, row: dict[str, str], nom: str, code_insee: str) -> RowOutcome:
        settings = self.settings
        period = row.get(PERIOD_COLUMN) or settings.period
        commune = {key: self._typed(key, text) for key, text in row.items() if text and key != PERIOD_COLUMN}
        try:
            result = evaluate(commune, period, settings.conventions, rulebook=self.book)
        except InputError as error:
            # The cell as the user wrote it says more than the converted value (when there is one).
            written = {**row, PERIOD_COLUMN: period or ""}
            problems = tuple(
                (p.champ, p.message, (written.get(p.champ) or _shown(p.recu))[:_SHOWN]) for p in error.problemes
            )
            return RowOutcome(line, nom, code_insee, problemes=problems)
        except CmsLawError as error:
            message = f"erreur d'évaluation, défaut des règles à signaler : {error}"
            return RowOutcome(line, nom, code_insee, problemes=(("regles", message, ""),), rule_failure=True)
        # A CSV row holds the figures only; JSON lines hold the derogations too, and the structured
        # explanation, costly to serialise, only with --explain.
        if settings.output_format == "json":
            data = result.as_dict(explication=settings.explain)
        else:
            data = evaluation_figures(result)
        return RowOutcome(
            line,
            nom,
            code_insee,
            sortie=self._serialise(line, result, data),
            totaux=tuple(_share(total, result) for total in self.book.bilan),
        )

    def _typed(self, key: str, text: str) -> object:
        """Booleans are read here; every other cell goes to the evaluator as text, which converts
        it to its field's type (integers with spaces, rates « 25 % », decimal commas, dates)."""
        if key in self.booleans:
            return BOOLEANS.get(text.lower(), text)
        return text

    def _serialise(self, line: int, result: Evaluation, data: dict[str, Any]) -> str:
        explication = data.pop("explication", None)
        if self.settings.output_format == "json":
            extra = {"explication": explication} if self.settings.explain else {}
            return to_json({"ligne": line, **data, "resume": resume(result), **extra}, indent=None) + "\n"
        commune = data["commune"]
        cells: dict[str, Any] = {
            "ligne": line,
            "nom": commune.get("nom"),
            "code_insee": commune.get("code_insee"),
            "resume": resume(result),
        }
        if self.book.reforme is not None:
            cells.update(zip(REFORM_COLUMNS, (self.book.reforme.titre, self.book.reforme.empreinte)))
        for key, value in data.items():
            if key in self.columns:
                cells[key] = value
            elif isinstance(value, dict) and key != "commune":
                cells.update((name, value[name]) for name in value if name in self.columns)
        if self.settings.explain:
            cells["explication"] = result.texte()
        return csv_line(cells.get(column) for column in self.columns)


def resume(evaluation: Evaluation) -> str:
    """The result in one French sentence: the commune and the period, then the sentence
    ``syntheses.commune`` of ``vocabulaire.yaml``."""
    code = evaluation.commune.get("code_insee")
    return f"{evaluation.commune.get('nom')}{f' ({code})' if code else ''}, {evaluation.periode} : " + summary(
        evaluation, "commune"
    )


def _share(total: Total, evaluation: Evaluation) -> int | Fraction:
    """What one commune adds to a total: 1 or 0 for a count, its known value for a sum."""
    if total.compte is not None:
        return int(truth(f"syntheses.bilan.{total.cle}", total.compte, evaluation.valeurs.get) is True)
    value = evaluation.valeurs.get(total.somme or "")
    return value if is_number(value) else 0


def _shown(value: object) -> str:
    """A received value as the user wrote it, or as its exact JSON form when it was converted."""
    if value is None or isinstance(value, str):
        return value or ""
    return plain(json_value(value, None))  # type: ignore[arg-type]
