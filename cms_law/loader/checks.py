"""Step 5: the checks of the whole book, once every file is read — every name a rule, a template, a
summary or an aggregate uses is declared, no name is defined twice, rule versions do not overlap,
``exception_de`` points at a rule it can override, and no rule depends on itself on any day.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Callable, Iterable

from .. import expressions
from ..language import excerpt
from ..errors import RuleFileError
from ..model import Fragment, Rule, RuleBook
from .capacity import check_capacity
from .laws import FILE as LAWS_FILE
from .overlaps import certain_overlaps
from .reader import NUMBER_TYPES, pairs
from .vocabulary import FILE as VOCABULARY_FILE

#: What a summary text may show of a name besides its value: the rule that set it, by title or citation.
SUMMARY_VIEWS = ("motif", "citation")


def check_book(book: RuleBook) -> None:
    """Every check of the whole book; the first that fails raises its RuleFileError."""
    _check_names(book, periode_expression=book.periode["date_reference"])
    _check_rules(book)
    _check_sans_calcul(book)


def _check_sans_calcul(book: RuleBook) -> None:
    """An alinéa declared as producing no figure is encoded by nothing: the two would contradict."""
    encoding = [
        *((rule.id, rule.fichier, rule.citations) for rule in book.regles),
        *((d.id, d.fichier, d.fondements) for d in (*book.derogations, *book.derogations_epci)),
        *((p.nom, p.fichier, p.citations) for p in book.parametres),
        *((c.nom, c.fichier, c.interprete) for c in book.conventions.values()),
    ]
    for name, fichier, citations in encoding:
        for citation in citations:
            if citation.alinea.sans_calcul:
                raise RuleFileError(
                    citation.version.fichier,
                    f"l'alinéa {citation.alinea.id} est déclaré sans calcul (sans_calcul), mais {name} "
                    f"({fichier}) le cite",
                    citation.alinea.id,
                )


#: A template's field may be padded to at most this width (``{nom:>12}``): a width of 300 000 000
#: would build 300 MB of text at every evaluation.
MAX_TEMPLATE_WIDTH = 40
_FORMAT_SPEC = re.compile(r"(?:.?[<>^])?(?P<width>[0-9]*)(?:\.(?P<precision>[0-9]+))?", re.DOTALL)


class TemplateError(ValueError):
    """A French template that the loader refuses; the message says why."""


def template_names(template: str) -> set[str]:
    """The names a French explanation template refers to (``{taux_cible}``); a template that is
    not well formed, converts a value (``{x!r}``) or pads it beyond MAX_TEMPLATE_WIDTH is refused."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"modèle de texte mal formé ({error} ; écrire « {{{{ » pour une accolade)") from None
    names = set()
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if not field:
            raise TemplateError("modèle de texte : « {} » sans nom")
        if conversion:
            raise TemplateError(f"modèle de texte : « {{{excerpt(field, 40)}!{conversion}}} » : conversion non admise")
        match = _FORMAT_SPEC.fullmatch(spec or "")
        too_wide = match is not None and any(
            len(group) > 2 or int(group) > MAX_TEMPLATE_WIDTH for group in match.group("width", "precision") if group
        )
        if match is None or too_wide:
            raise TemplateError(
                f"modèle de texte : format « {excerpt(spec or '', 40)} » de « {excerpt(field, 40)} » refusé"
                f" (admis : alignement <, > ou ^ et largeur d'au plus {MAX_TEMPLATE_WIDTH})"
            )
        names.add(field)
    return names


def _names_of(template: str, fail: Callable[[str], RuleFileError]) -> set[str]:
    try:
        return template_names(template)
    except TemplateError as error:
        raise fail(str(error)) from None


def _check_names(book: RuleBook, periode_expression: expressions.Expression) -> None:
    def known(name: str) -> bool:
        return book.type_of(name) is not None

    def require(names: Iterable[str], fail: Callable[[str], RuleFileError]) -> None:
        for name in sorted(names):
            if not known(name):
                raise fail(f"nom inconnu « {name} » (ni variable, ni paramètre, ni convention)")

    parameter_names = [p.nom for p in book.parametres]
    # A name may be set again by another version of an article (the 20 % target of 2000, the 25 %
    # of 2013), as long as one version at most gives it on any day, with the same type.
    clashes = {n for n in parameter_names if n in book.variables}
    clashes |= {
        first.nom
        for first, second in pairs(list(book.parametres))
        if first.nom == second.nom and (first.validite.overlaps(second.validite) or first.type != second.type)
    }
    clashes |= {n for n in book.conventions if n in book.variables or n in parameter_names}
    if clashes:
        raise RuleFileError("rules", f"nom(s) définis plusieurs fois : {', '.join(sorted(clashes))}")
    require(periode_expression.names, lambda m: RuleFileError(LAWS_FILE, m, "periode.date_reference"))
    for name in book.periode["periode_de_la_date"]:
        if name not in book.variables:
            raise RuleFileError(LAWS_FILE, f"« {name} » n'est pas une variable du vocabulaire", "periode.periode_de_la_date")
    if book.parameter(book.periode["premiere_annee"]) is None:
        raise RuleFileError(LAWS_FILE, f"« {book.periode['premiere_annee']} » n'est pas un paramètre", "periode.premiere_annee")
    for rule in book.regles:
        fail = functools.partial(RuleFileError, rule.fichier, element=f"règle {rule.id}", ligne=rule.ligne)
        require(rule.reads, fail)
        require(_names_of(rule.explication, fail), fail)
        inputs = {field.variable for field in book.entrees}
        for name in rule.alors:
            if name not in book.variables or name in inputs:
                raise fail(f"« alors » conclut « {name} », qui n'est pas une variable déclarée dans vocabulaire.yaml")
    for verification in book.verifications:
        fail = functools.partial(
            RuleFileError, verification.fichier, element=f"vérification {verification.id}", ligne=verification.ligne
        )
        require(verification.condition.names | _names_of(verification.message, fail), fail)
        require(_names_of(verification.libelle, fail), fail)
        if verification.si is not None:
            require(verification.si.names | _names_of(verification.sans_objet or "", fail), fail)
    for column in book.tableau_contrat:
        fail = functools.partial(RuleFileError, VOCABULARY_FILE, element=f"tableau_contrat.{column.cle}")
        require(column.valeur.names, fail)
        columns = {c.cle for c in book.tableau_contrat}
        if column.total is not None and not column.total.names <= columns:
            raise fail(f"le total ne peut lire que des colonnes : {', '.join(sorted(column.total.names - columns))}")
    for aggregate in book.agregats:
        fail = functools.partial(RuleFileError, aggregate.fichier, element=f"agrégat {aggregate.nom}", ligne=aggregate.ligne)
        require(aggregate.expression.names | (aggregate.parmi.names if aggregate.parmi else set()), fail)
        if aggregate.nom not in book.variables:
            raise fail(f"« {aggregate.nom} » n'est pas une variable déclarée dans vocabulaire.yaml")
    for derogation in (*book.derogations, *book.derogations_epci):
        fail = functools.partial(
            RuleFileError, derogation.fichier, element=f"dérogation {derogation.id}", ligne=derogation.ligne
        )
        if derogation.variable_ouverte is not None and derogation.variable_ouverte not in book.variables:
            raise fail(f"« {derogation.variable_ouverte} » n'est pas une variable déclarée dans vocabulaire.yaml")
        for condition in derogation.conditions:
            require(condition.condition.names, fail)
        if derogation.appreciation is not None:
            require(derogation.appreciation.cas.condition.names, fail)
            require(_names_of(derogation.appreciation.explication, fail), fail)
        require(_names_of(derogation.explication_ouverte, fail), fail)
        require(_names_of(derogation.explication_fermee, fail), fail)
        for shown in (derogation.plancher, derogation.periodes_restantes):
            if shown is not None and shown not in book.variables:
                raise fail(f"« {shown} » n'est pas une variable déclarée dans vocabulaire.yaml")
        if derogation.utilisee is not None:
            require(derogation.utilisee.names, fail)
            if derogation.compteur not in {field.cle for field in book.entrees}:
                raise fail(f"compteur : « {derogation.compteur} » n'est pas une entrée des communes")
    for check in book.controles:
        fail = functools.partial(RuleFileError, check.fichier, element=f"contrôle {check.champ}", ligne=check.ligne)
        require(check.condition.names, fail)
        require(_names_of(check.message, fail), fail)
    _check_summaries(book, require)


def _check_summaries(book: RuleBook, require: Callable[[Iterable[str], Callable[[str], RuleFileError]], None]) -> None:
    """A summary reads only known names; its texts, only known names and their views (SUMMARY_VIEWS)."""

    def check_sentence(fragments: Iterable[Fragment], where: str) -> None:
        fail = functools.partial(RuleFileError, VOCABULARY_FILE, element=f"syntheses.{where}")
        for fragment in fragments:
            names = set(fragment.si.names) if fragment.si else set()
            for field in _names_of(fragment.texte, fail):
                name, _, view = field.partition(".")
                if view and view not in SUMMARY_VIEWS:
                    raise fail(f"« {field} » : après le point, attendu {' ou '.join(SUMMARY_VIEWS)}")
                names.add(name)
            require(names, fail)

    for use, fragments in book.syntheses.items():
        check_sentence(fragments, use)
    for total in book.bilan:
        fail = functools.partial(RuleFileError, VOCABULARY_FILE, element=f"syntheses.bilan.{total.cle}")
        if total.compte is not None:
            require(total.compte.names, fail)
        elif book.type_of(total.somme or "") not in NUMBER_TYPES:
            raise fail(f"« {total.somme} » n'est pas une grandeur numérique connue")
    history = book.historique
    assert history is not None, "the loader always reads syntheses.historique"
    for column in history.tableau:
        check_sentence(column.phrase, f"historique.tableau.{column.libelle}")
    check_sentence(history.etiquette, "historique.graphique.etiquette")
    fail = functools.partial(RuleFileError, VOCABULARY_FILE, element="syntheses.historique")
    outputs = output_keys(book)
    unknown = [column for column in history.colonnes if column not in outputs]
    if unknown:
        raise fail(f"colonne(s) hors des sorties : {', '.join(unknown)} (sorties : {', '.join(outputs)})")
    if book.type_of(history.valeur_graphique) not in NUMBER_TYPES:
        raise fail(f"graphique : « {history.valeur_graphique} » n'est pas une grandeur numérique connue")


def output_keys(book: RuleBook) -> list[str]:
    """The keys ``sorties`` gives the JSON result: names, group keys and citation keys."""
    return [entry if isinstance(entry, str) else next(iter(entry)) for entry in book.sorties]


def _check_rules(book: RuleBook) -> None:
    for first, second in pairs(list(book.regles)):
        if first.id == second.id and first.validite.overlaps(second.validite):
            raise RuleFileError(
                second.fichier,
                f"la validité chevauche celle de la même règle dans {first.fichier}",
                f"règle {second.id}",
                second.ligne,
            )
    ids = {rule.id for rule in book.regles}
    for rule in book.regles:
        for base in rule.exception_de:
            if base not in ids:
                raise RuleFileError(rule.fichier, f"exception_de : règle inconnue « {base} »", f"règle {rule.id}", rule.ligne)
            base_rule = book.rule(base)
            if base_rule is not None and not set(base_rule.alors) & set(rule.alors):
                raise RuleFileError(
                    rule.fichier,
                    f"exception_de : « {base} » ne conclut aucune des valeurs de cette règle",
                    f"règle {rule.id}",
                    rule.ligne,
                )
    for first, second, shared in certain_overlaps(book):
        raise RuleFileError(
            second.fichier,
            f"conclut « {shared[0]} » comme la règle {first.id} ({first.fichier}), sous la même condition et"
            " autrement : l'une doit être déclarée exception de l'autre (exception_de)",
            f"règle {second.id}",
            second.ligne,
        )
    for day in sorted({rule.validite.debut for rule in book.regles}):
        in_force = book.rules_at(day)
        check_capacity(in_force, f"règles en vigueur le {day}")
        _check_acyclic(in_force, day)


def _check_acyclic(rules: tuple[Rule, ...], day: dt.date) -> None:
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        for name in rule.alors:
            producers.setdefault(name, []).append(rule)
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " → ".join([*path[path.index(name) :], name])
            rule = producers[name][0]
            raise RuleFileError(rule.fichier, f"dépendance circulaire au {day} : {cycle}", f"règle {rule.id}", rule.ligne)
        state[name] = 1
        for rule in producers.get(name, []):
            for read in rule.reads:
                visit(read, [*path, name])
        state[name] = 2

    for name in producers:
        visit(name, [])
