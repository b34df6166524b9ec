"""Reading a commune description against the input fields declared in ``rules/vocabulaire.yaml``.

Every problem is collected, each naming its field, and reported at once: a user fixing a file
should not have to run the tool once per mistake.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from .documents import MAX_BYTES, MAX_DIGITS, parse_document, read_document, where
from .errors import Problem, shown
from .expressions import Value
from .model import InputField, RuleBook

_RATE = re.compile(r"^\s*(?P<number>[0-9]+(?:[.,][0-9]+)?)\s*(?P<percent>%)?\s*$")
_INTEGER = re.compile(r"^\s*-?[0-9]+(?:[ \u00a0\u202f][0-9]{3})*\s*$")
_DATE = re.compile(r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$")


#: The file name that stands for the standard input, as in most command-line tools.
STDIN = "-"


def read_file(path: str | Path) -> Any:
    """Read a YAML or JSON file (chosen by its extension; YAML otherwise, which reads JSON too);
    ``"-"`` reads the standard input (YAML, which reads JSON too). Both within the bounds of
    :mod:`cms_law.documents`."""
    if str(path) == STDIN:
        return parse_document(_read_stdin(), "l'entrée standard")
    return read_document(path)


def _read_stdin() -> bytes:
    """The standard input's bytes (its text, encoded, when it has no bytes: a test's StringIO),
    at most one byte more than a document may have."""
    binary = getattr(sys.stdin, "buffer", None)
    if binary is not None:
        return binary.read(MAX_BYTES + 1)  # type: ignore[no-any-return]
    return sys.stdin.read(MAX_BYTES + 1).encode("utf-8")


def did_you_mean(name: str, accepted: Sequence[str]) -> str:
    """« ; vouliez-vous dire « exemptee » ? » when an accepted name is close to a mistyped one."""
    close = difflib.get_close_matches(name, accepted, n=1)
    return f" ; vouliez-vous dire « {close[0]} » ?" if close else ""


def parse_commune(book: RuleBook, data: object) -> tuple[dict[str, Value], dict[str, Value], list[Problem]]:
    """Check and convert a commune description (see :func:`parse_fields`)."""
    return parse_fields(book.entrees, data, "commune")


def parse_fields(
    declared: Sequence[InputField], data: object, what: str, other_keys: Sequence[str] = ()
) -> tuple[dict[str, Value], dict[str, Value], list[Problem]]:
    """Check and convert a description against its declared fields.

    Returns the values by field key (as given), the values by rule variable (defaults filled in)
    and the problems found. ``other_keys`` are keys the caller reads itself (an EPCI's communes).
    """
    if getattr(data, "empty", False):
        required = [field.cle for field in declared if field.requis]
        message = f"{getattr(data, 'source', '')} est vide ; champs obligatoires : {', '.join([*required, *other_keys])}"
        return {}, {}, [Problem("fichier", message.lstrip())]
    if not isinstance(data, Mapping):
        return {}, {}, [Problem(what, "un dictionnaire de champs est attendu", type(data).__name__)]
    fields = {field.cle: field for field in declared}
    problems: list[Problem] = []
    for key in data:
        if key not in fields and key not in other_keys:
            accepted = [*fields, *other_keys]
            suggestion = did_you_mean(str(key), accepted) if isinstance(key, str) and len(key) <= 100 else ""
            problems.append(
                Problem(
                    shown(key),
                    f"champ inconnu{suggestion} (champs acceptés : {', '.join(accepted)}){where(data, key)}",
                    data[key],
                )
            )
    by_key: dict[str, Value] = {}
    by_variable: dict[str, Value] = {}
    for field in declared:
        raw = data.get(field.cle)
        if raw is None:
            if field.requis:
                problems.append(Problem(field.cle, f"champ obligatoire manquant ({field.libelle})"))
            by_variable[field.variable] = field.defaut
            continue
        try:
            value = convert(field, raw)
        except ValueError as error:
            problems.append(Problem(field.cle, f"{error}{where(data, field.cle)}", raw))
            continue
        by_key[field.cle] = value
        by_variable[field.variable] = value
    return by_key, by_variable, problems


def convert(field: InputField, raw: object) -> Value:
    """Convert one raw value to the field's type, or raise ValueError saying what was expected."""
    kind = field.type
    if kind == "texte":
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"un texte non vide est attendu ({field.libelle} ; en YAML, l'écrire entre guillemets)")
        if field.motif is not None and not re.fullmatch(field.motif, raw.strip()):
            raise ValueError(f"« {shown(raw)} » n'a pas la forme attendue : {field.description}")
        return raw.strip()
    if kind == "booleen":
        if not isinstance(raw, bool):
            raise ValueError(f"vrai ou faux (true/false) est attendu ({field.libelle}), reçu « {shown(raw)} »")
        return raw
    if kind == "date":
        value: Value = _date(raw, field)
    elif kind in ("entier", "annee"):
        value = _integer(raw, field)
    elif kind in ("taux", "points", "nombre"):
        value = _number(raw, field, allow_percent=kind == "taux")
    else:  # pragma: no cover - the loader admits no other type
        raise ValueError(f"type {kind} non pris en charge")
    _check_bounds(value, field)
    return value


def _integer(raw: object, field: InputField) -> int:
    if type(raw) is str and raw.isascii() and raw.isdigit():  # a CSV cell, the usual case
        _few_digits(raw, field)
        return int(raw)
    if isinstance(raw, bool):
        raise _not_a_number(raw, field, "entier")
    if isinstance(raw, float):
        _finite(raw, field)
        if raw.is_integer():
            return int(raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _INTEGER.match(raw):
        digits = re.sub(r"\s", "", raw.replace("\u202f", "").replace("\u00a0", ""))
        _few_digits(digits, field)
        return int(digits)
    raise _not_a_number(raw, field, "entier")


def _number(raw: object, field: InputField, allow_percent: bool) -> Fraction | int:
    kind = "taux" if allow_percent else "nombre"
    if isinstance(raw, bool):
        raise _not_a_number(raw, field, kind)
    if isinstance(raw, int):
        number = Fraction(raw)
    elif isinstance(raw, float):
        _finite(raw, field)
        number = Fraction(Decimal(repr(raw)))
    elif isinstance(raw, Fraction | Decimal) and not (isinstance(raw, Decimal) and not raw.is_finite()):
        number = Fraction(raw)
    elif isinstance(raw, str):
        match = _RATE.match(raw)
        if not match or (match.group("percent") and not allow_percent):
            raise _not_a_number(raw, field, kind)
        _few_digits(match.group("number"), field)
        try:
            number = Fraction(Decimal(match.group("number").replace(",", ".")))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            raise _not_a_number(raw, field, kind) from None
        if match.group("percent"):
            number /= 100
    else:
        raise _not_a_number(raw, field, kind)
    if allow_percent and field.maximum is not None and 1 < number <= 100 and number > field.maximum:  # type: ignore[operator]
        shown_number = _plain(int(number) if number.denominator == 1 else number)
        raise ValueError(
            f"un taux s'écrit en fraction de 1 ou en pourcentage : {_plain(number / 100)} ou « {shown_number} % »"
            f" ({field.libelle}), reçu {shown_number}"
        )
    return int(number) if number.denominator == 1 else number


def _not_a_number(raw: object, field: InputField, kind: str) -> ValueError:
    """The error for a value that is not the number expected (written only when it is not)."""
    expected = {
        "entier": f"un nombre entier est attendu ({field.libelle})",
        "taux": f"un taux est attendu ({field.libelle}), sous la forme « 20 % » ou 0.20",
        "nombre": f"un nombre est attendu ({field.libelle})",
    }[kind]
    return ValueError(f"{expected}, reçu « {shown(raw)} »")


def _finite(raw: float, field: InputField) -> None:
    if not math.isfinite(raw):
        raise ValueError(f"un nombre fini est attendu ({field.libelle}), reçu « {raw} »")


def _few_digits(digits: str, field: InputField) -> None:
    """A number of more than :data:`MAX_DIGITS` digits is no figure of the law, and no work for us."""
    if sum(character.isdigit() for character in digits) > MAX_DIGITS:
        raise ValueError(f"nombre de plus de {MAX_DIGITS} chiffres ({field.libelle}), reçu « {shown(digits)} »")


def _date(raw: object, field: InputField) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str) and _DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:  # a day the calendar does not have (2023-02-30, 2023-13-01)
            pass
    raise ValueError(f"une date valide AAAA-MM-JJ est attendue ({field.libelle}), reçu « {shown(raw)} »")


def _check_bounds(value: Value, field: InputField) -> None:
    if field.minimum is not None and value < field.minimum:  # type: ignore[operator]
        raise ValueError(
            f"doit être supérieur ou égal à {_plain(field.minimum)} ({field.libelle}), reçu {_plain(value)}"
        )
    if field.maximum is not None and value > field.maximum:  # type: ignore[operator]
        raise ValueError(
            f"doit être inférieur ou égal à {_plain(field.maximum)} ({field.libelle}), reçu {_plain(value)}"
        )


def _plain(value: Value) -> str:
    """A bound or a received value, exactly (a rate of 0,2500000001 is not « 25 % »), but short."""
    if isinstance(value, Fraction):
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
        return shown(format(decimal, "f") if abs(decimal.adjusted()) < MAX_DIGITS else decimal)
    if isinstance(value, dt.date):
        return value.isoformat()
    return shown(value)
