"""The durable_rules wrapper: order independence, threads, sessions, errors, conflicts."""

from __future__ import annotations

import threading
from fractions import Fraction
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import EvaluationError, RuleConflictError, evaluate, load_rulebook
from cms_law.compiler import CompiledRuleset
from cms_law.evaluator import compiled_for, parse_period
from conftest import commune

L302_8 = "cch/L302-8/2022-02-23.yaml"
COMMUNES = [
    commune(),
    commune(logements_sociaux=880),  # 3 points below: VII, 1°
    commune(logements_sociaux=960),  # 1 point below: VII, 2°
    commune(logements_sociaux=1000),  # at its target
    commune(date_entree_dispositif="2024-03-01"),  # VIII, during the period
    commune(population=3000),  # not subject
    commune(exemptee=True),
    commune(logements_sociaux=300, plh=False),  # 20 % PLS cap
]


def figures(result: Any) -> dict[str, Any]:
    data = result.as_dict()
    return {key: value for key, value in data.items() if key != "explication"} | {
        "etapes": [step["regle"] for step in data["explication"]]
    }


def given_values(entry: dict[str, Any]) -> dict[str, Any]:
    """What the evaluator hands to the compiled ruleset for one commune."""
    book = load_rulebook()
    result = evaluate(entry)
    values = {name: result.valeurs[field.variable] for field in book.entrees for name in [field.variable]}
    period = parse_period(book, None)
    return {
        **values,
        "periode_debut": period.debut,
        "periode_fin": period.fin,
        "date_reference": period.date_reference,
        **book.parameters_at(period.date_reference),
        **dict(result.conventions),
    }


@settings(max_examples=40, deadline=None)
@given(data=st.data(), index=st.integers(0, len(COMMUNES) - 1))
def test_results_do_not_depend_on_the_order_rules_fire(data: st.DataObject, index: int) -> None:
    """The engine fires rules in an order of its own (here, changed by compiling them in another
    order): values, their origins and the rules applied must not change."""
    book = load_rulebook()
    period = parse_period(book, None)
    reference = compiled_for(book, period)
    rules = data.draw(st.permutations(reference.rules))
    shuffled = CompiledRuleset(rules, reference.given)
    values = given_values(COMMUNES[index])
    expected, actual = reference.run(values), shuffled.run(values)
    assert actual.values == expected.values
    assert actual.origins == expected.origins
    assert {o.rule.id for o in actual.applied} == {o.rule.id for o in expected.applied}


def test_sixteen_threads_give_the_sequential_results() -> None:
    work = COMMUNES * 25
    sequential = [figures(evaluate(entry)) for entry in work]
    with ThreadPoolExecutor(max_workers=16) as pool:
        concurrent = list(pool.map(lambda entry: figures(evaluate(entry)), work))
    assert concurrent == sequential


def test_five_thousand_evaluations_in_a_row_never_exhaust_the_engine() -> None:
    # durable_rules holds at most 1 024 live sessions: each evaluation must delete its own.
    for number in range(5000):
        result = evaluate(COMMUNES[number % len(COMMUNES)])
    assert result["objectif_triennal"] is not None or result["soumise"] is False


def test_no_dispatcher_thread_is_started() -> None:
    before = threading.active_count()
    for entry in COMMUNES:
        evaluate(entry)
    assert threading.active_count() == before


def test_an_error_inside_a_rule_is_raised_naming_the_rule(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def divide_by_zero(data: dict[str, Any]) -> None:
        rule = next(r for r in data["regles"] if r["id"] == "L302-8.I.objectif-triennal")
        rule["alors"]["objectif_triennal"] = "logements_manquants / (taux_rattrapage - taux_rattrapage)"

    book = rules_copy(L302_8, divide_by_zero)
    with pytest.raises(EvaluationError) as raised:
        evaluate(commune(), rulebook=book)
    assert raised.value.regle == "L302-8.I.objectif-triennal"
    assert "division par zéro" in str(raised.value)
    # The failed session was deleted: the engine still evaluates afterwards.
    assert evaluate(commune())["objectif_triennal"] == 165


def test_two_rules_without_priority_are_a_conflict_naming_both_citations(rules_copy) -> None:  # type: ignore[no-untyped-def]
    def drop_priority(data: dict[str, Any]) -> None:
        next(r for r in data["regles"] if r["id"] == "L302-8.VII.1°").pop("exception_de")

    book = rules_copy(L302_8, drop_priority)
    with pytest.raises(RuleConflictError) as raised:
        evaluate(commune(logements_sociaux=880), rulebook=book)
    assert set(raised.value.citations) == {"L. 302-8, VII, al. 1", "L. 302-8, VII, 1°"}
    assert raised.value.variable in {"taux_rattrapage", "situation_vii"}  # both rules conclude both
    # Where the two rules do not both apply, there is no conflict to report.
    assert evaluate(commune(), rulebook=book)["taux_rattrapage"] == Fraction(33, 100)


def test_rules_that_agree_are_all_given_as_reasons() -> None:
    # Too small and outside an eligible agglomeration: both reasons appear in the explanation.
    result = evaluate(commune(population=2000, agglomeration_ou_epci_eligible=False))
    assert result["soumise"] is False
    steps = result.explication.rule_ids()
    assert "L302-5.I.non-soumise-population" in steps
    assert "L302-5.I.non-soumise-agglomeration" in steps
