"""The reasoning behind a result, as data: one step per rule that applied, the conventions it used.

The evaluation layer builds the explanation here, from the run of the compiled rules; each step
and each derogation carries what renders its French sentence (its rule's template, filled by
:func:`~cms_law.french.fill` on first use), so that :mod:`cms_law.explain` only lays them out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from .compiler import RunResult
from .expressions import Value
from .french import fill
from .model import CheckedCondition, Derogation, Explanation, RuleBook, Step
from .model.results import A_L_APPRECIATION_DU_PREFET, POSSIBLES


def build_explanation(
    book: RuleBook,
    run: RunResult,
    conventions: Mapping[str, str],
    chosen: frozenset[str],
) -> Explanation:
    """One step per rule that gave a value, preceded by a step for each convention it relies on."""
    lookup = run.values.get
    steps: list[Step] = []
    unexplained_conventions = set(book.conventions)
    for outcome in run.applied:
        for name in sorted(outcome.rule.reads & unexplained_conventions):
            unexplained_conventions.discard(name)
            steps.append(_convention_step(book, name, conventions[name], name in chosen))
        steps.append(
            Step(
                regle=outcome.rule.id,
                nature="regle",
                titre=outcome.rule.titre,
                citations=outcome.rule.citations,
                entrees=outcome.inputs,
                valeurs=outcome.values,
                render=functools.partial(fill, outcome.rule.explication, lookup, book.type_of),
            )
        )
    return Explanation(tuple(steps))


def _convention_step(book: RuleBook, name: str, option: str, chosen: bool) -> Step:
    convention = book.conventions[name]
    if not chosen:  # « chosen »: overridden, with an option other than the default
        origin, why = "option par défaut", "Le texte étant muet sur ce point :"
    else:
        origin = f"option choisie par l'utilisateur, au lieu de l'option par défaut : {convention.options[convention.defaut]}"
        why = "Le texte étant muet sur ce point, cette option se justifie ainsi :"
    text = (
        f"Convention « {convention.titre} » ({origin}) : {convention.options[option]}. "
        f"{why} {convention.justification_of(option)}"
    )
    return Step(
        regle=f"convention.{name}",
        nature="convention",
        titre=convention.titre,
        citations=convention.interprete,
        entrees={},
        valeurs={name: option},
        render=lambda: text,
    )


def derogation_text(
    book: RuleBook,
    derogation: Derogation,
    etat: str,
    conditions: Sequence[CheckedCondition],
    appreciation: CheckedCondition | None,
    lookup: Callable[[str], Value],
) -> str:
    """The derogation's French sentence, then what it still requires or why it is closed."""
    possible = etat in POSSIBLES
    if etat == A_L_APPRECIATION_DU_PREFET and derogation.appreciation is not None:
        template = derogation.appreciation.explication
    else:
        template = derogation.explication_ouverte if possible else derogation.explication_fermee
    text = fill(template, lookup, book.type_of)
    failed = [c for c in conditions if c.remplie is False]
    unknown = [c for c in (*conditions, *([appreciation] if appreciation else [])) if c.remplie is None]
    if failed:
        text += " Condition(s) non remplie(s) : " + " ; ".join(_condition_phrase(c) for c in failed) + "."
    if unknown:
        text += " À vérifier, les données fournies ne le disant pas : " + " ; ".join(
            _condition_phrase(c) for c in unknown
        ) + "."
    if possible and derogation.exigences:
        text += " Elle requiert : " + " ; ".join(
            f"{r.texte} ({' ; '.join(c.court for c in r.citations)})" for r in derogation.exigences
        ) + "."
    return text


def _condition_phrase(checked: CheckedCondition) -> str:
    citations = " ; ".join(c.court for c in checked.condition.citations)
    return f"{checked.condition.libelle} ({citations})"
