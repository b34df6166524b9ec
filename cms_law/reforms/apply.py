"""Applying a reform to a rule book: parameters overridden from a day, rules added, replaced or
neutralised; the book checked again as a whole; the stamp set.

A change from a day (``depuis``) splits what it changes at that day: the parameter keeps its
values before it, a rule replaced or neutralised stays in force until the day before. Every new
value is read as the rule files' values are (its parameter's type), every new rule as the rule
files' rules are (its expressions, its citations resolved against the article it names), and the
whole book then passes the checks the shipped one passes (names, templates, cycles), so that a
reform cannot make the engine fail where the law does not. An error names the reform's field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ..errors import Problem, RuleFileError
from ..loader.articles import CitationResolver
from ..loader.checks import check_book
from ..loader.reader import Reader
from ..loader.rules import load_rules
from ..model import DatedValue, Parameter, Period, Reform, ReformChange, Rule, RuleBook
from .file import ParameterChange, ReformError, ReformText, RuleChange

_DAY = dt.timedelta(days=1)


def fingerprint(content: Any) -> str:
    """sha256 of canonical JSON: the same content, however laid out in its file, has one fingerprint."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def apply_reform(
    book: RuleBook,
    reform: ReformText | None = None,
    parametres: Sequence[ParameterChange] = (),
    *,
    base: Reform | None = None,
) -> RuleBook:
    """``book`` changed by ``reform`` and by the ``parametres`` of the command line, stamped.

    ``base`` is the stamp ``book`` already has (another rules folder): its changes come first in
    the new stamp, and its fingerprint enters the new one.
    """
    source = reform.source if reform else "--parametre"
    problems: list[Problem] = []
    changes: list[ReformChange] = list(base.modifications) if base else []
    parameters = list(book.parametres)
    rules = list(book.regles)
    given = [*(reform.parametres if reform else ()), *parametres]
    for index, change in enumerate(given):
        where = f"parametres[{index + 1}]" if reform and index < len(reform.parametres) else change.nom
        field_source = source if reform and index < len(reform.parametres) else "--parametre"
        try:
            parameters = _override(book, parameters, change)
        except _Refused as refused:
            problems.append(Problem(f"{field_source} : {where}{_dotted(refused.field)}", refused.message, refused.value))
            continue
        changes.append(ReformChange("parametre", change.nom, change.justification, change.depuis, str(change.valeur)))
    for index, rule_change in enumerate(reform.regles if reform else ()):
        section = {"regle_ajoutee": "regles_ajoutees", "regle_remplacee": "regles_remplacees",
                   "regle_neutralisee": "regles_neutralisees"}[rule_change.nature]
        number = [other.nature for other in reform.regles[:index]].count(rule_change.nature) + 1  # type: ignore[union-attr]
        try:
            rules = _RULE_CHANGES[rule_change.nature](book, rules, rule_change)
        except _Refused as refused:
            problems.append(Problem(f"{source} : {section}[{number}]{_dotted(refused.field)}", refused.message, refused.value))
            continue
        changes.append(ReformChange(rule_change.nature, rule_change.id, rule_change.justification, rule_change.depuis))
    if problems:
        raise ReformError(None, problems)
    content = {
        "base": base.empreinte if base else None,
        "reforme": reform.contenu if reform else None,
        "parametres": [[p.nom, str(p.valeur), p.depuis] for p in parametres],
    }
    stamp = Reform(
        titre=_title(base, reform, parametres),
        justification=reform.justification if reform else (base.justification if base else None),
        empreinte=fingerprint(content),
        modifications=tuple(changes),
        source=", ".join(s for s in (base.source if base else None, reform.source if reform else None) if s) or None,
    )
    reformed = attrs.evolve(book, parametres=tuple(parameters), regles=tuple(rules), reforme=stamp)
    try:
        check_book(reformed)
    except RuleFileError as error:
        raise ReformError(source, [Problem("", f"le droit réformé n'est pas cohérent : {error}")]) from None
    return reformed


def folder_stamp(title: str, folder: str, digest: str) -> Reform:
    """The stamp of a book loaded from another rules folder than the package's."""
    return Reform(
        titre=title,
        justification=None,
        empreinte=digest,
        modifications=(ReformChange("regles", folder),),
        source=folder,
    )


def _dotted(field: str) -> str:
    return f".{field}" if field else ""


class _Refused(Exception):
    def __init__(self, field: str, message: str, value: object = None) -> None:
        self.field, self.message, self.value = field, message, value


def _title(base: Reform | None, reform: ReformText | None, parametres: Sequence[ParameterChange]) -> str:
    """What the stamp is called: the rules folder's, the reform's title, the parameters changed."""
    described = ", ".join(f"{p.nom} = {p.valeur}" + (f" depuis le {p.depuis.isoformat()}" if p.depuis else "")
                          for p in parametres)
    parts = [base.titre if base else None, reform.titre if reform else None,
             f"paramètres modifiés : {described}" if parametres else None]
    title = " ; ".join(part for part in parts if part)
    return title[:1].upper() + title[1:]


def _override(book: RuleBook, parameters: list[Parameter], change: ParameterChange) -> list[Parameter]:
    versions = [p for p in parameters if p.nom == change.nom]
    if not versions:
        known = sorted({p.nom for p in parameters})
        close = difflib.get_close_matches(change.nom, known, n=3)
        hint = f" (voulait-on dire : {', '.join(close)} ?)" if close else " (voir « cms-law rules --format json »)"
        raise _Refused("nom", f"paramètre inconnu{hint}", change.nom)
    since = change.depuis
    touched = [p for p in versions if since is None or p.validite.fin is None or p.validite.fin >= since]
    if not touched:
        raise _Refused("depuis", f"aucune version du paramètre n'est en vigueur le {since} ou après", since)
    result = []
    for parameter in parameters:
        if parameter not in touched:
            result.append(parameter)
            continue
        try:
            value = Reader("réforme", f"paramètre {parameter.nom}").literal(change.valeur, "valeur", parameter.type)
        except RuleFileError as error:
            message = str(error).split(" : ", 1)[-1].removeprefix("valeur : ")
            raise _Refused("valeur", f"{message} (type {parameter.type})", change.valeur) from None
        start = parameter.validite.debut if since is None else max(since, parameter.validite.debut)
        kept = tuple(v for v in parameter.valeurs if v.depuis < start)
        result.append(attrs.evolve(parameter, valeurs=(*kept, DatedValue(start, value))))
    return result


def _split(rule: Rule, since: dt.date | None) -> tuple[Rule | None, Rule | None]:
    """The rule before ``since`` (None if nothing is left) and from it (the whole rule without a day)."""
    if since is None or since <= rule.validite.debut:
        return None, rule
    if rule.validite.fin is not None and rule.validite.fin < since:
        return rule, None
    before = attrs.evolve(rule, validite=Period(rule.validite.debut, since - _DAY))
    return before, attrs.evolve(rule, validite=Period(since, rule.validite.fin))


def _versions(rules: list[Rule], change: RuleChange) -> list[Rule]:
    found = [rule for rule in rules if rule.id == change.id]
    if not found:
        close = difflib.get_close_matches(change.id, sorted({r.id for r in rules}), n=3)
        hint = f" (voulait-on dire : {', '.join(close)} ?)" if close else " (voir « cms-law rules »)"
        raise _Refused("id", f"règle inconnue{hint}", change.id)
    return found


def _neutralise(book: RuleBook, rules: list[Rule], change: RuleChange) -> list[Rule]:
    result = _each_version(rules, change, lambda rule: None)
    # A rule that was an exception of the one neutralised now has nothing to take priority over.
    return [attrs.evolve(r, exception_de=tuple(e for e in r.exception_de if e != change.id))
            if change.depuis is None and change.id in r.exception_de else r for r in result]


def _replace(book: RuleBook, rules: list[Rule], change: RuleChange) -> list[Rule]:
    return _each_version(rules, change, lambda rule: _rewritten(book, rule, change))


def _each_version(rules: list[Rule], change: RuleChange, changed: Callable[[Rule], Rule | None]) -> list[Rule]:
    """Each version of the rule changed from the reform's day on (``changed``: None drops it)."""
    _versions(rules, change)
    result = []
    for rule in rules:
        if rule.id != change.id:
            result.append(rule)
            continue
        before, after = _split(rule, change.depuis)
        new = changed(after) if after is not None else None
        result.extend(version for version in (before, new) if version is not None)
    return result


def _rewritten(book: RuleBook, rule: Rule, change: RuleChange) -> Rule:
    """The rule with the fields the reform gives, each read as a rule file's field is."""
    article = next(a for a in book.articles if a.fichier == rule.fichier)
    spec: dict[str, Any] = {
        "id": rule.id,
        "titre": rule.titre,
        "cite": [c.alinea.id if c.version is article else {"article": c.version.article, "alinea": c.alinea.id}
                 for c in rule.citations],
        "alors": {name: formula.source for name, formula in rule.alors.items()},
        "explication": rule.explication,
        **({"si": rule.si.source} if rule.si is not None else {}),
        **({"exception_de": list(rule.exception_de)} if rule.exception_de else {}),
        **{key: value for key, value in change.champs.items() if key not in ("id", "valide")},
    }
    (new,) = _read_rules(book, [spec], article)
    return attrs.evolve(new, validite=rule.validite)


def _add(book: RuleBook, rules: list[Rule], change: RuleChange) -> list[Rule]:
    if any(rule.id == change.id for rule in rules):
        raise _Refused("id", "une règle de ce nom existe déjà : la remplacer (regles_remplacees)", change.id)
    versions = [a for a in book.articles if _article_key(a.article) == _article_key(change.article or "")]
    if not versions:
        articles = ", ".join(sorted({a.article for a in book.articles}))
        raise _Refused("article", f"article inconnu (articles encodés : {articles})", change.article)
    valid = change.champs.get("valide")
    day = valid.get("du") if isinstance(valid, dict) else None
    day = dt.date.fromisoformat(str(day)) if day is not None and not isinstance(day, dt.date) else day
    article = next((a for a in versions if day is not None and a.validite.contains(day)), None)
    article = article or max(versions, key=lambda a: a.validite.debut)
    return [*rules, *_read_rules(book, [dict(change.champs)], article)]


def _article_key(name: str) -> str:
    """« L. 302-8 » as the rule files' folders write it, « L302-8 »."""
    return "".join(name.split()).replace(".", "")


def _read_rules(book: RuleBook, specs: list[dict[str, Any]], article: Any) -> list[Rule]:
    try:
        return load_rules(specs, article, CitationResolver(book.articles), article.fichier)
    except (RuleFileError, ValueError) as error:
        # The rule file named is the article's, not the reform's: only the message is kept.
        message = str(error).split(" : ", 1)[-1] if isinstance(error, RuleFileError) else str(error)
        raise _Refused("", message) from None


_RULE_CHANGES: dict[str, Callable[[RuleBook, list[Rule], RuleChange], list[Rule]]] = {
    "regle_ajoutee": _add,
    "regle_remplacee": _replace,
    "regle_neutralisee": _neutralise,
}
