"""Why not: the rules in force that were weighed and did not apply, and the conditions of the
derogations that are not met — each with the part of its condition that failed and the values it
read (``cms-law evaluate --pourquoi-pas``, ``evaluate(..., pourquoi_pas=True)``).

A rule did not apply because its condition is false on the commune's values, because the data
cannot decide it (a value unknown), or because a rule declared its exception applied instead. Of
a condition made of terms joined by « et », the first false term is named (the first unknown one
when none is false): « ecart_retenu <= ecart_seuil_haut », with the values of ecart_retenu and
ecart_seuil_haut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .expressions import Expression, ExpressionSyntaxError, Value, parse, truth
from .language import Logical
from .model import DerogationResult, Rule, RuleNotApplied


def rules_not_applied(
    rules: Sequence[Rule],
    applied: Sequence[Rule],
    values: Mapping[str, Value],
    derogations: Sequence[DerogationResult] = (),
) -> tuple[RuleNotApplied, ...]:
    """Each rule of ``rules`` (those in force) not among ``applied``, and why; then each condition
    of a derogation not met."""
    applied_ids = {rule.id for rule in applied}
    found = []
    for rule in rules:
        if rule.id in applied_ids:
            continue
        winners = tuple(other.id for other in applied if rule.id in other.exception_de)
        holds = True if rule.si is None else truth(rule.id, rule.si, values.get)
        if winners:
            # An exception that applied takes precedence, whatever the rule's own condition.
            reason, failing = "exception", rule.si
        elif holds is True:
            # The condition holds but a conclusion could not be computed: a value it needs is unknown.
            reason, failing = "donnees_manquantes", None
        else:
            assert rule.si is not None
            reason = "condition_fausse" if holds is False else "donnees_manquantes"
            failing = _failing_term(rule.id, rule.si, values, holds)
        read = failing.names if failing is not None else frozenset().union(*(f.names for f in rule.alors.values()))
        found.append(
            RuleNotApplied(
                regle=rule.id,
                titre=rule.titre,
                citations=rule.citations,
                raison=reason,
                condition=failing.source if failing is not None else None,
                valeurs={name: values.get(name) for name in sorted(read)},
                ecartee_par=winners,
            )
        )
    for result in derogations:
        for checked in result.conditions:
            if checked.remplie is True:
                continue
            condition = checked.condition.condition
            failing = _failing_term(result.derogation.id, condition, values, checked.remplie)
            found.append(
                RuleNotApplied(
                    regle=result.derogation.id,
                    titre=f"{result.derogation.titre} : {checked.condition.libelle}",
                    citations=checked.condition.citations,
                    raison="condition_fausse" if checked.remplie is False else "donnees_manquantes",
                    condition=failing.source,
                    valeurs={name: values.get(name) for name in sorted(failing.names)},
                    nature="derogation",
                )
            )
    return tuple(found)


def _failing_term(owner: str, condition: Expression, values: Mapping[str, Value], holds: bool | None) -> Expression:
    """The first term of an « et » that is false (or unknown, when the whole is unknown); the whole
    condition when it is not an « et », or when its terms cannot be read apart."""
    for term in _terms(condition):
        if truth(owner, term, values.get) is holds:
            return term
    return condition


def _terms(condition: Expression) -> list[Expression]:
    tree = condition.tree
    if not (isinstance(tree, Logical) and tree.operator == "et"):
        return [condition]
    parts = _split_top_level(condition.source, "et")
    if len(parts) != len(tree.operands):
        return [condition]
    try:
        return [parse(part) for part in parts]
    except ExpressionSyntaxError:
        return [condition]


def _split_top_level(source: str, word: str) -> list[str]:
    """``source`` cut at each ``word`` outside parentheses and quotes."""
    parts, depth, quoted, start, index = [], 0, False, 0, 0
    while index < len(source):
        char = source[index]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif (not quoted and depth == 0 and source.startswith(word, index) and (index == 0 or source[index - 1].isspace())
              and index + len(word) < len(source) and source[index + len(word)].isspace()):
            parts.append(source[start:index].strip())
            start = index = index + len(word)
            continue
        index += 1
    parts.append(source[start:].strip())
    return parts
