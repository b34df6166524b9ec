"""Reading rule files: the safe YAML loader, and the strict reader every loading step uses.

A rule file is data written by legal experts, never code: it is parsed by PyYAML's safe loader
(libyaml's when available). :class:`Reader` reads one mapping of it strictly: an unknown key, a
missing key or a value of the wrong kind is a :class:`~cms_law.errors.RuleFileError` that names
the file and the element being read (« règle L302-8.VII.1° »).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from .. import expressions
from ..errors import RuleFileError
from ..model import Period

#: The value types a variable, a parameter or an input field may have.
TYPES = ("booleen", "entier", "annee", "taux", "points", "nombre", "texte", "date")
#: Those of them that are numbers (a total, a chart's bars).
NUMBER_TYPES = ("entier", "annee", "taux", "points", "nombre")


#: libyaml's C parser when PyYAML has it (about ten times faster: start-up reads every rule
#: file), else the pure Python one; both are the safe loader.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(resource: Traversable, name: str) -> Any:
    """A rule file's contents; invalid YAML is an error naming the file."""
    try:
        return yaml.load(resource.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise RuleFileError(name, f"YAML invalide : {error}") from None


class Reader:
    """Reads one YAML mapping strictly: unknown keys and missing required keys are errors."""

    def __init__(self, fichier: str, element: str | None = None) -> None:
        self.fichier = fichier
        self.element = element

    def error(self, message: str) -> RuleFileError:
        return RuleFileError(self.fichier, message, self.element)

    def mapping(
        self, data: object, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.error(f"{what} : un dictionnaire est attendu, reçu {type(data).__name__}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            raise self.error(
                f"{what} : champ(s) inconnu(s) {', '.join(unknown)}"
                f" (autorisés : {', '.join(sorted(allowed))})"
            )
        missing = [key for key in required if key not in data]
        if missing:
            raise self.error(f"{what} : champ(s) obligatoire(s) manquant(s) {', '.join(missing)}")
        return data

    def text(self, value: object, what: str, optional: bool = False, strip: bool = True) -> str:
        """A non-empty text; ``strip=False`` keeps the spaces at its ends (a fragment of a sentence)."""
        if value is None and optional:
            return None  # type: ignore[return-value]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{what} : un texte non vide est attendu, reçu {value!r}")
        return value.strip() if strip else value

    def date(self, value: object, what: str, optional: bool = False) -> dt.date:
        if value is None and optional:
            return None  # type: ignore[return-value]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f"{what} : une date AAAA-MM-JJ est attendue, reçu {value!r}")

    def period(self, debut: object, fin: object) -> Period:
        """A validity from its two ends (``fin`` may be empty: still in force)."""
        period = Period(self.date(debut, "debut"), self.date(fin, "fin", optional=True))
        if period.fin is not None and period.fin < period.debut:
            raise self.error(f"validité vide : fin {period.fin} avant début {period.debut}")
        return period

    def entries(self, value: object, what: str) -> Iterable[tuple[str, Any]]:
        """The items of an optional mapping section (``parametres``, ``variables``…)."""
        if value is None:
            return ()
        return [(str(key), item) for key, item in self.mapping(value, what, [], value).items()]  # type: ignore[arg-type]

    def sequence(self, value: object, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{what} : une liste est attendue, reçu {type(value).__name__}")
        return value

    def expression(self, source: object, what: str) -> expressions.Expression:
        try:
            return expressions.parse(source)  # type: ignore[arg-type]
        except expressions.ExpressionSyntaxError as error:
            raise self.error(f"{what} : expression invalide : {error}") from None

    def literal(self, value: object, what: str, kind: str) -> expressions.Value:
        """A typed literal value of a parameter or a default (``33 %``, ``2``, ``vrai``)."""
        if isinstance(value, bool):
            parsed: expressions.Value = value
        elif isinstance(value, int):
            parsed = value
        elif isinstance(value, (dt.date, str)) and kind == "date":
            return self.date(value, what)
        elif isinstance(value, str) and kind == "texte":
            return value
        elif isinstance(value, str):
            try:
                parsed = expressions.literal(value)
            except (expressions.ExpressionSyntaxError, expressions.ExpressionError) as error:
                raise self.error(f"{what} : valeur invalide {value!r} ({error})") from None
        else:
            raise self.error(f"{what} : valeur invalide {value!r} (écrire les décimaux entre guillemets)")
        expected = {"booleen": bool, "entier": int, "annee": int, "texte": str}
        if kind in expected and not (
            isinstance(parsed, expected[kind]) and (kind == "booleen") == isinstance(parsed, bool)
        ):
            raise self.error(f"{what} : une valeur de type {kind} est attendue, reçu {value!r}")
        return parsed


def pairs(items: list[Any]) -> Iterable[tuple[Any, Any]]:
    """Every two items of a list, each pair once (to find overlapping validities)."""
    for index, first in enumerate(items):
        for second in items[index + 1 :]:
            yield first, second
