"""The endpoints as plain functions: (rule book, body, query) → the dict of ``--format json``.

Nothing here knows HTTP: a body is what the client sent, already parsed (a commune description
as a YAML or JSON file would hold it, or an envelope ``{"commune": …, "periode": …}``), the query
its parameters, each a list of strings. Each function calls the library's own function with the
rule book it is given (the package's, or later a reform's) and returns that result's
``as_dict()``, which the command line prints with the same ``to_json``; every problem of the
request's parameters is reported at once, as an :class:`InputError`, like a problem of the input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .. import batch
from ..contract import check_contract as check
from ..epci import evaluate_epci as evaluate_set
from ..errors import InputError, Problem
from ..evaluator import evaluate as evaluate_commune
from ..evaluator import conventions_from_pairs, parse_period, regime_for, resolve_conventions
from ..explain import provenance_comment, to_json
from ..history import commune_history
from ..history import diff as law_diff
from ..model import RuleBook
from .errors import NOT_FOUND, TOO_LARGE, RequestError
from .texts import Texts

Query = Mapping[str, Sequence[str]]
NO_QUERY: Query = {}
#: The repeated query parameter giving a convention's option (``convention=NOM=OPTION``), as the
#: command line's ``--convention``; in a body, ``conventions`` is a mapping name → option.
CONVENTION = "convention"
CONVENTIONS = "conventions"
#: How errors name a CSV sent to POST /lot (it has no file name).
SENT_CSV = Path("le CSV envoyé")


def evaluate(book: RuleBook, body: Any, query: Query = NO_QUERY) -> dict[str, Any]:
    """POST /evaluer: ``cms-law evaluate FICHIER [--period | --date] [--convention]``."""
    commune, values, conventions = _arguments(body, query, "commune", ("periode", "date", WHY_NOT))
    why_not = _yes_no(values[WHY_NOT], WHY_NOT)
    result = evaluate_commune(
        commune, values["periode"], conventions, rulebook=book, date=values["date"], pourquoi_pas=why_not
    )
    return result.as_dict()


#: ``?pourquoi_pas=oui`` (or ``"pourquoi_pas": true`` in the envelope): ``--pourquoi-pas``.
WHY_NOT = "pourquoi_pas"
_YES_NO = {True: True, False: False, "oui": True, "non": False, "true": True, "false": False, "1": True, "0": False}


def _yes_no(value: Any, name: str) -> bool:
    if value is None:
        return False
    key = value.lower() if isinstance(value, str) else value
    if not isinstance(key, (bool, str)) or key not in _YES_NO:
        raise InputError([Problem(name, "oui ou non est attendu", value)])
    return _YES_NO[key]


def evaluate_epci(book: RuleBook, body: Any, query: Query = NO_QUERY) -> dict[str, Any]:
    """POST /evaluer-epci: ``cms-law evaluate-epci FICHIER``."""
    epci, values, conventions = _arguments(body, query, "epci", ("periode",))
    return evaluate_set(epci, values["periode"], conventions, rulebook=book).as_dict()


def check_contract(book: RuleBook, body: Any, query: Query = NO_QUERY) -> dict[str, Any]:
    """POST /verifier-contrat: ``cms-law check-contract FICHIER`` (a refused contract is a 200 too)."""
    contract, values, conventions = _arguments(body, query, "contrat", ("periode",))
    return check(contract, values["periode"], conventions, rulebook=book).as_dict()


def history(book: RuleBook, body: Any, query: Query = NO_QUERY) -> dict[str, Any]:
    """POST /historique: ``cms-law history FICHIER [--from du] [--to au]``."""
    commune, values, conventions = _arguments(body, query, "commune", ("du", "au"))
    return commune_history(commune, values["du"], values["au"], conventions, rulebook=book).as_dict()


def diff(book: RuleBook, query: Query) -> dict[str, Any]:
    """GET /diff?du=AAAA-MM-JJ&au=AAAA-MM-JJ: ``cms-law diff DATE1 DATE2``."""
    problems = unknown_parameters(query, ("du", "au"))
    values = {name: single(query, name, problems) for name in ("du", "au")}
    for name, what in (("du", "la première date"), ("au", "la seconde date")):
        if values[name] is None and not any(p.champ == name for p in problems):
            problems.append(Problem(name, f"paramètre obligatoire manquant : {what} (AAAA-MM-JJ)"))
    if problems:
        raise InputError(problems)
    return law_diff(str(values["du"]), str(values["au"]), rulebook=book).as_dict()


def _arguments(
    body: Any, query: Query, key: str, names: Sequence[str]
) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The description, the named parameters and the conventions, from the body or the query."""
    problems = unknown_parameters(query, (*names, CONVENTION))
    envelope = body if isinstance(body, Mapping) and key in body else None
    if envelope is not None:
        accepted = (key, *names, CONVENTIONS)
        for extra in sorted(str(k) for k in envelope if k not in accepted):
            problems.append(Problem(extra, f"clé inconnue à côté de « {key} » (clés acceptées : {', '.join(accepted)})"))
    values: dict[str, Any] = {}
    for name in names:
        in_query = single(query, name, problems)
        in_body = envelope.get(name) if envelope is not None else None
        if in_query is not None and in_body is not None:
            problems.append(Problem(name, "donné à la fois dans le corps et dans la requête : le donner une fois"))
        values[name] = in_body if in_body is not None else in_query
    conventions: dict[str, str] = {}
    given = envelope.get(CONVENTIONS) if envelope is not None else None
    if given is not None:
        if isinstance(given, Mapping) and all(isinstance(v, str) for v in given.values()):
            conventions.update({str(name): option for name, option in given.items()})
        else:
            problems.append(Problem(CONVENTIONS, "un dictionnaire nom de convention → option est attendu", given))
    try:
        from_query = conventions_from_pairs(query.get(CONVENTION, ()), CONVENTION)
    except InputError as error:
        problems += error.problemes
    else:
        for name in sorted(set(from_query) & set(conventions)):
            problems.append(Problem(f"conventions.{name}", "donnée à la fois dans le corps et dans la requête"))
        conventions.update(from_query)
    if problems:
        raise InputError(problems)
    return (envelope[key] if envelope is not None else body), values, conventions


def unknown_parameters(query: Query, accepted: Sequence[str]) -> list[Problem]:
    return [
        Problem(name, f"paramètre de requête inconnu (paramètres acceptés : {', '.join(accepted)})")
        for name in query
        if name not in accepted
    ]


def single(query: Query, name: str, problems: list[Problem]) -> str | None:
    values = query.get(name) or ()
    if len(values) > 1:
        problems.append(Problem(name, "paramètre donné plusieurs fois", ", ".join(values)))
    return values[0] if values else None


def citation_url(book: RuleBook, texts: Texts, query: Query) -> str:
    """GET /citation: where the alinéa of a short citation is, in the version that began on
    ``version`` (a step's reference gives it) or in force for ``periode`` (a derogation's or a
    violation's citation, which name no version)."""
    problems = unknown_parameters(query, ("citation", "version", "periode"))
    citation, version, period = (single(query, name, problems) for name in ("citation", "version", "periode"))
    if not citation:
        problems.append(Problem("citation", "paramètre obligatoire manquant : la citation courte (« L. 302-8, VII, 1° »)"))
    if (version is None) == (period is None):
        problems.append(Problem("version", "donner la version (AAAA-MM-JJ, son début) ou la période, l'une des deux"))
    day = None
    try:
        if period is not None:
            day = parse_period(book, period).date_reference
        elif version is not None:
            day = dt.date.fromisoformat(version)
    except InputError as error:
        problems += error.problemes
    except ValueError:
        problems.append(Problem("version", "une date AAAA-MM-JJ est attendue", version))
    if problems:
        raise InputError(problems)
    assert citation is not None and day is not None
    url = texts.url_of(citation, day)
    if url is None:
        raise RequestError(NOT_FOUND, "citation", f"aucun alinéa « {citation} » dans le texte en vigueur le {day}")
    return url


# --------------------------------------------------------------------------- POST /lot


@attrs.frozen
class BatchAnswer:
    """The answer to a CSV inventory: its media type and its lines, computed as they are sent."""

    media_type: str
    lines: Iterator[str]
    rows: int


#: The column a results CSV sent over HTTP adds: why a row was rejected (empty when evaluated).
ERRORS_COLUMN = "erreurs"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/x-ndjson; charset=utf-8"}


def batch_rows(book: RuleBook, data: bytes, query: Query, max_rows: int | None) -> BatchAnswer:
    """POST /lot: ``cms-law batch`` on a CSV sent in the body, one output line per input row.

    In JSON lines, a row evaluated is the line of the results file, a row rejected the line of
    the errors file, in input order. In CSV, the results columns plus ``erreurs``: a rejected row
    has its identification and its problems there. The whole file is checked (encoding, header,
    options, number of rows: at most ``max_rows``, if given) before the first row is evaluated.
    """
    problems = unknown_parameters(query, ("periode", CONVENTION, "format", "explication"))
    period = single(query, "periode", problems)
    output_format = single(query, "format", problems) or "csv"
    if output_format not in batch.FORMATS:
        problems.append(Problem("format", f"format inconnu (formats : {', '.join(batch.FORMATS)})", output_format))
    explain_text = single(query, "explication", problems) or "non"
    explain = batch.BOOLEANS.get(explain_text.lower())
    if explain is None:
        problems.append(Problem("explication", "oui ou non est attendu", explain_text))
    try:
        conventions = conventions_from_pairs(query.get(CONVENTION, ()), CONVENTION)
        regime_for(book, parse_period(book, period))
    except InputError as error:
        problems += error.problemes
        conventions = {}
    problems += resolve_conventions(book, conventions)[1]
    if problems:
        raise InputError(problems)
    source = batch.parse_csv(data, SENT_CSV, book)
    if max_rows is not None and source.rows > max_rows:
        raise RequestError(
            TOO_LARGE, "corps", f"le CSV compte {source.rows} lignes, plus que la limite de {max_rows} de ce serveur"
            " (option --max-rows de cms-law serve) : le découper en plusieurs lots",
        )
    settings = batch.Settings(source.columns, period, conventions, output_format, bool(explain))
    return BatchAnswer(MEDIA_TYPES[output_format], _batch_lines(book, source, settings), source.rows)


def _batch_lines(book: RuleBook, source: batch.CsvSource, settings: batch.Settings) -> Iterator[str]:
    """Each row's outcome as it is evaluated: the CSV is read as the answer is sent, never whole."""
    evaluator = batch.RowEvaluator(book, settings)
    in_csv = settings.output_format == "csv"
    columns = (*batch.output_columns(book, settings.explain), ERRORS_COLUMN)
    if in_csv:  # the comment line of cms-law batch: what produced these results
        yield provenance_comment(book, resolve_conventions(book, settings.conventions)[0])
        yield batch.csv_line(columns)
    for line, cells in source.records():
        # A row never raises: an unexpected failure is its « erreur interne », the others go on.
        outcome = evaluator(line, cells)
        if outcome.sortie is not None:
            # The row the command line writes, plus the empty cell of ``erreurs``.
            yield outcome.sortie if not in_csv else outcome.sortie.removesuffix("\r\n") + ",\r\n"
        elif not in_csv:
            yield to_json(batch.rejected_row(outcome), indent=None) + "\n"
        else:
            reasons = "\n".join(
                f"{champ} : {message}" + (f" (valeur : {valeur})" if valeur else "")
                for champ, message, valeur in outcome.problemes
            )
            cells_out = {"ligne": outcome.ligne, "nom": outcome.nom, "code_insee": outcome.code_insee,
                         ERRORS_COLUMN: reasons}
            yield batch.csv_line(cells_out.get(column, "") for column in columns)
