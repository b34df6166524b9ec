"""Reading what a reform changes: a reform file (YAML or JSON), and ``--parametre NOM=VALEUR@DATE``.

A reform file is data a user writes, read strictly: an unknown key, a missing title or
justification, a malformed date is a :class:`ReformError` naming the file and the field
(« parametres[1].valeur »). What the changes mean — that a parameter exists, that a value has
its type, that a rule's expressions and citations hold — is checked when the reform is applied
(:mod:`.apply`), against the rule book it changes.

The format::

    titre: Taux de rattrapage de droit commun porté à 40 %
    justification: pourquoi cette lecture ou cette réforme
    parametres:
      - {nom: taux_rattrapage_general, valeur: "40 %", depuis: 2023-01-01, justification: …}
    regles_ajoutees:
      - {article: L302-8, id: …, titre: …, cite: [VII.al1], si: …, alors: {…}, explication: …, justification: …}
    regles_remplacees:
      - {id: L302-8.VII.1°, si: …, justification: …}      # les champs donnés remplacent ceux de la règle
    regles_neutralisees:
      - {id: L302-8.VII.2°, depuis: 2026-01-01, justification: …}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..documents import read_document
from ..errors import InputError, Problem

FILE_FIELDS = ("titre", "justification", "parametres", "regles_ajoutees", "regles_remplacees", "regles_neutralisees")
PARAMETER_FIELDS = ("nom", "valeur", "depuis", "justification")
RULE_FIELDS = ("id", "titre", "cite", "si", "alors", "explication", "exception_de", "valide")


class ReformError(InputError):
    """A reform (its file, or a ``--parametre``) is invalid: each problem names the field."""

    def __init__(self, source: str | None, problemes: Sequence[Problem]) -> None:
        """``source`` (the file, ``--parametre``) is put before each field; ``None``: the fields name it."""
        self.source = source
        if source is not None:
            problemes = [Problem(f"{source} : {p.champ}" if p.champ else source, p.message, p.recu) for p in problemes]
        super().__init__(problemes)
        self.args = (str(self).replace("données d'entrée invalides", "réforme invalide", 1),)


@attrs.frozen
class ParameterChange:
    nom: str
    valeur: Any
    depuis: dt.date | None
    justification: str | None


@attrs.frozen
class RuleChange:
    """A rule added (``article`` and every field of a rule), replaced (the fields given) or neutralised."""

    nature: str  # regle_ajoutee, regle_remplacee, regle_neutralisee
    id: str
    champs: Mapping[str, Any]
    justification: str
    article: str | None = None
    depuis: dt.date | None = None


@attrs.frozen
class ReformText:
    """A reform as read, before it is applied; ``contenu`` is what its fingerprint is taken of."""

    titre: str
    justification: str | None
    parametres: tuple[ParameterChange, ...]
    regles: tuple[RuleChange, ...]
    source: str
    contenu: Any


def read_reform_file(path: str | Path) -> ReformText:
    """Read and check the structure of a reform file (YAML, or JSON by its extension)."""
    path = Path(path)
    try:
        # No aliases: a reform is short, and an alias could make a small file stand for a huge one.
        data = read_document(path, path.name, aliases=False)
    except InputError as error:
        raise ReformError(None, error.problemes) from None
    return parse_reform(data, path.name)


def parse_reform(data: object, source: str = "réforme") -> ReformText:
    """A reform from its data (a reform file's contents), its structure checked."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ReformError(source, [Problem("", "un dictionnaire (titre, justification, parametres…) est attendu")])
    for key in data:
        if key not in FILE_FIELDS:
            problems.append(Problem(str(key), f"champ inconnu (champs d'une réforme : {', '.join(FILE_FIELDS)})"))
    titre = _text(data.get("titre"), "titre", problems)
    justification = _text(data.get("justification"), "justification", problems)
    parametres = [
        change
        for index, item in enumerate(_list(data.get("parametres"), "parametres", problems))
        if (change := _parameter(item, f"parametres[{index + 1}]", problems)) is not None
    ]
    regles: list[RuleChange] = []
    for section, nature in (("regles_ajoutees", "regle_ajoutee"), ("regles_remplacees", "regle_remplacee"),
                            ("regles_neutralisees", "regle_neutralisee")):
        for index, item in enumerate(_list(data.get(section), section, problems)):
            rule_change = _rule(item, nature, f"{section}[{index + 1}]", problems)
            if rule_change is not None:
                regles.append(rule_change)
    if not problems and not parametres and not regles:
        problems.append(Problem("parametres", "la réforme ne change rien : au moins un paramètre ou une règle est attendu"))
    if problems:
        raise ReformError(source, problems)
    return ReformText(titre, justification, tuple(parametres), tuple(regles), source, _plain(data))


def parameter_pairs(pairs: Sequence[str]) -> tuple[ParameterChange, ...]:
    """``NOM=VALEUR`` or ``NOM=VALEUR@AAAA-MM-JJ`` (from that day), as ``--parametre`` gives them."""
    changes = []
    problems = []
    for pair in pairs:
        name, separator, rest = pair.partition("=")
        value, at, day = rest.rpartition("@") if "@" in rest else (rest, "", "")
        if not separator or not name.strip() or not value.strip():
            problems.append(Problem("", "la forme NOM=VALEUR ou NOM=VALEUR@AAAA-MM-JJ est attendue", pair))
            continue
        since = None
        if at:
            try:
                since = dt.date.fromisoformat(day.strip())
            except ValueError:
                problems.append(Problem(name.strip(), "date AAAA-MM-JJ attendue après « @ »", day))
                continue
        changes.append(ParameterChange(name.strip(), value.strip(), since, None))
    if problems:
        raise ReformError("--parametre", problems)
    return tuple(changes)


def _text(value: object, field: str, problems: list[Problem]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(field, "un texte non vide est attendu", value))
        return ""
    return " ".join(value.split())


def _list(value: object, field: str, problems: list[Problem]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(field, "une liste est attendue", type(value).__name__))
        return []
    return value


def _date(value: object, field: str, problems: list[Problem]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(field, "une date AAAA-MM-JJ est attendue", value))
        return None


def _fields(item: object, field: str, allowed: Sequence[str], required: Sequence[str], problems: list[Problem]) -> bool:
    if not isinstance(item, Mapping):
        problems.append(Problem(field, "un dictionnaire est attendu", type(item).__name__))
        return False
    for key in item:
        if key not in allowed:
            problems.append(Problem(f"{field}.{key}", f"champ inconnu (champs : {', '.join(allowed)})"))
    for key in required:
        if key not in item:
            problems.append(Problem(f"{field}.{key}", "champ obligatoire manquant"))
    return True


def _parameter(item: object, field: str, problems: list[Problem]) -> ParameterChange | None:
    before = len(problems)
    if not _fields(item, field, PARAMETER_FIELDS, ("nom", "valeur", "justification"), problems):
        return None
    assert isinstance(item, Mapping)
    name = _text(item.get("nom"), f"{field}.nom", problems)
    justification = _text(item.get("justification"), f"{field}.justification", problems)
    since = _date(item.get("depuis"), f"{field}.depuis", problems)
    if len(problems) > before:
        return None
    return ParameterChange(name, item["valeur"], since, justification)


def _rule(item: object, nature: str, field: str, problems: list[Problem]) -> RuleChange | None:
    before = len(problems)
    allowed: tuple[str, ...]
    required: tuple[str, ...]
    if nature == "regle_ajoutee":
        allowed, required = ("article", *RULE_FIELDS, "justification"), ("article", "id", "titre", "cite", "alors",
                                                                           "explication", "justification")
    elif nature == "regle_remplacee":
        allowed, required = (*RULE_FIELDS, "depuis", "justification"), ("id", "justification")
    else:
        allowed, required = ("id", "depuis", "justification"), ("id", "justification")
    if not _fields(item, field, allowed, required, problems):
        return None
    assert isinstance(item, Mapping)
    rule_id = _text(item.get("id"), f"{field}.id", problems)
    justification = _text(item.get("justification"), f"{field}.justification", problems)
    since = _date(item.get("depuis"), f"{field}.depuis", problems)
    champs = {key: value for key, value in item.items() if key in RULE_FIELDS}
    if nature == "regle_remplacee" and set(champs) == {"id"}:
        problems.append(Problem(field, "une règle remplacée doit changer au moins un champ (si, alors, cite…)"))
    if len(problems) > before:
        return None
    article = _text(item.get("article"), f"{field}.article", problems) if nature == "regle_ajoutee" else None
    return RuleChange(nature, rule_id, champs, justification, article, since)


def _plain(value: Any) -> Any:
    """The data as JSON holds it (dates as ISO text), for a fingerprint that ignores the file's layout."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value
