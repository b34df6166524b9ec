"""Reading a commune description against the input fields declared in ``rules/vocabulaire.yaml``.

Every problem is collected, each naming its field, and reported at once: a user fixing a file
should not have to run the tool once per mistake.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem
from .expressions import Value
from .loader import SAFE_LOADER
from .model import InputField, RuleBook

_RATE = re.compile(r"^\s*(?P<number>[0-9]+(?:[.,][0-9]+)?)\s*(?P<percent>%)?\s*$")
_INTEGER = re.compile(r"^\s*-?[0-9]+(?:[ \u00a0\u202f][0-9]{3})*\s*$")


#: The file name that stands for the standard input, as in most command-line tools.
STDIN = "-"


def read_file(path: str | Path) -> Any:
    """Read a YAML or JSON file (chosen by its extension; YAML otherwise, which reads JSON too);
    ``"-"`` reads the standard input (YAML, which reads JSON too)."""
    stdin = str(path) == STDIN
    path, name = Path(path), "l'entrée standard" if stdin else str(path)
    try:
        text = _read_stdin() if stdin else path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError([Problem("fichier", f"lecture impossible de {name} : {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem("fichier", f"{name} n'est pas un texte UTF-8")]) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=SAFE_LOADER)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InputError([Problem("fichier", f"{name} n'est pas un YAML ou JSON valide : {error}")]) from None


def _read_stdin() -> str:
    """The standard input as UTF-8 whatever the terminal's locale (its bytes, when it has them)."""
    binary = getattr(sys.stdin, "buffer", None)
    return binary.read().decode("utf-8") if binary is not None else sys.stdin.read()


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
    if not isinstance(data, Mapping):
        return {}, {}, [Problem(what, "un dictionnaire de champs est attendu", type(data).__name__)]
    fields = {field.cle: field for field in declared}
    problems: list[Problem] = []
    for key in data:
        if key not in fields and key not in other_keys:
            accepted = [*fields, *other_keys]
            problems.append(
                Problem(
                    str(key),
                    f"champ inconnu{did_you_mean(str(key), accepted)} (champs acceptés : {', '.join(accepted)})",
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
            problems.append(Problem(field.cle, str(error), raw))
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
            raise ValueError(f"« {raw} » n'a pas la forme attendue : {field.description}")
        return raw.strip()
    if kind == "booleen":
        if not isinstance(raw, bool):
            raise ValueError(f"vrai ou faux (true/false) est attendu ({field.libelle}), reçu « {raw} »")
        return raw
    if kind == "date":
        return _date(raw, field)
    if kind in ("entier", "annee"):
        value: Value = _integer(raw, field)
    elif kind in ("taux", "points", "nombre"):
        value = _number(raw, field, allow_percent=kind == "taux")
    else:  # pragma: no cover - the loader admits no other type
        raise ValueError(f"type {kind} non pris en charge")
    _check_bounds(value, field)
    return value


def _integer(raw: object, field: InputField) -> int:
    expected = f"un nombre entier est attendu ({field.libelle}), reçu « {raw} »"
    if isinstance(raw, bool):
        raise ValueError(expected)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.match(raw):
        return int(re.sub(r"\s", "", raw.replace("\u202f", "").replace("\u00a0", "")))
    raise ValueError(expected)


def _number(raw: object, field: InputField, allow_percent: bool) -> Fraction | int:
    expected = (
        f"un taux est attendu ({field.libelle}), sous la forme « 20 % » ou 0.20, reçu « {raw} »"
        if allow_percent
        else f"un nombre est attendu ({field.libelle}), reçu « {raw} »"
    )
    if isinstance(raw, bool):
        raise ValueError(expected)
    if isinstance(raw, int):
        number = Fraction(raw)
    elif isinstance(raw, float):
        number = Fraction(Decimal(repr(raw)))
    elif isinstance(raw, str):
        match = _RATE.match(raw)
        if not match or (match.group("percent") and not allow_percent):
            raise ValueError(expected)
        try:
            number = Fraction(Decimal(match.group("number").replace(",", ".")))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            raise ValueError(expected) from None
        if match.group("percent"):
            number /= 100
    else:
        raise ValueError(expected)
    return int(number) if number.denominator == 1 else number


def _date(raw: object, field: InputField) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"une date valide AAAA-MM-JJ est attendue ({field.libelle}), reçu « {raw} »")


def _check_bounds(value: Value, field: InputField) -> None:
    if field.minimum is not None and value < field.minimum:  # type: ignore[operator]
        raise ValueError(f"doit être supérieur ou égal à {_plain(field.minimum)} ({field.libelle}), reçu {_plain(value)}")
    if field.maximum is not None and value > field.maximum:  # type: ignore[operator]
        raise ValueError(f"doit être inférieur ou égal à {_plain(field.maximum)} ({field.libelle}), reçu {_plain(value)}")


def _plain(value: Value) -> str:
    if isinstance(value, Fraction):
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    return str(value)
