"""The durable_rules wrapper: order independence, threads, sessions, errors, conflicts."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import EvaluationError, RuleBook, RuleConflictError, RuleFileError, evaluate, load_rulebook
from cms_law.compiler import CompiledRuleset
from cms_law.loader.capacity import ENGINE_LIMITS, check_capacity
from cms_law.contract import check_contract
from cms_law.epci import evaluate_epci
from cms_law.evaluator import compiled_for, parse_period
from cms_law.expressions import parse
from cms_law.history import commune_history
from cms_law.inputs import read_file
from cms_law.loader import load_rulebook_from, rules_root
from cms_law.model import Period, Rule
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
    assert set(raised.value.citations) == {"L. 302-8, VII, al. 1", "L. 302-8, VII, 1° (al. 3)"}
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


def _rule(number: int, alors: dict[str, str], si: str | None = None) -> Rule:
    return Rule(
        id=f"r{number}",
        titre="règle d'essai",
        citations=(),
        validite=Period(dt.date(2000, 1, 1)),
        si=parse(si) if si else None,
        alors={name: parse(formula) for name, formula in alors.items()},
        exception_de=(),
        explication="",
        fichier="essai.yaml",
    )


def test_a_chain_is_weighed_in_one_action_and_a_join_is_left_to_the_engine() -> None:
    """a → b → c → d is a chain: once a is settled, b, c and d follow in the same action, and so
    does k → e beside it. f reads d and e, settled by rules independent of one another: a join,
    and joins are the engine's, so two engine rules in all (the start and f)."""
    rules = [
        _rule(0, {"a": "g + 1"}),
        _rule(1, {"b": "a * 2"}),
        _rule(2, {"c": "b + a"}),
        _rule(3, {"d": "c * 10"}),
        _rule(4, {"k": "g * 3"}),
        _rule(5, {"e": "k - 1"}),
        _rule(6, {"f": "d + e"}),
    ]
    compiled = CompiledRuleset(rules, ["g"])
    values = compiled.run({"g": 2}).values
    assert [values[name] for name in "abcdkef"] == [3, 6, 9, 90, 6, 5, 95]
    assert len(compiled._actions) == 2
    # The order the rules fire in changes neither: the last rule first, the chain reversed.
    reversed_ = CompiledRuleset(rules[::-1], ["g"])
    assert reversed_.run({"g": 2}).values == compiled.run({"g": 2}).values
    assert len(reversed_._actions) == 2


@pytest.mark.parametrize("turns", ["same turn", "different turns"])
def test_a_name_several_rules_conclude_is_settled_by_those_left_standing(turns: str) -> None:
    """Wherever its rules are weighed — all in one generated function (resolved there) or in
    different turns (counted down, resolved by the last): an applicable exception overrides its
    base; rules left standing that agree are all reasons; that disagree are a conflict naming
    both; none applicable leaves the name unknown."""
    # « b » is concluded from g alone, or after « a » (another turn of the same action).
    second = "g * 2" if turns == "same turn" else "a * 2"

    def ruleset(exception: bool, condition: str) -> CompiledRuleset:
        base = _rule(1, {"b": "g + 2"}, si="g > 0")
        override = attrs.evolve(_rule(2, {"b": second}, si=condition), exception_de=("r1",) if exception else ())
        compiled = CompiledRuleset([_rule(0, {"a": "g"}), base, override], ["g"])
        assert ("b" not in compiled._counted) is (turns == "same turn")
        return compiled

    overridden = ruleset(True, "g > 1").run({"g": 3})
    assert overridden.values["b"] == 6
    assert overridden.origins["b"] == "r2"
    assert [o.rule.id for o in overridden.applied] == ["r0", "r2"]
    base_only = ruleset(True, "g > 5").run({"g": 2})
    assert (base_only.values["b"], base_only.origins["b"]) == (4, "r1")
    agreeing = ruleset(False, "g > 1").run({"g": 2})  # g + 2 = g * 2 when g is 2
    assert agreeing.values["b"] == 4
    assert {o.rule.id for o in agreeing.applied} == {"r0", "r1", "r2"}
    with pytest.raises(RuleConflictError) as raised:
        ruleset(False, "g > 1").run({"g": 3})
    assert raised.value.variable == "b"
    assert set(raised.value.regles) == {"r1", "r2"}
    assert ruleset(False, "g > 5").run({"g": -1}).values["b"] is None


def _kept(key: str) -> int:
    return ENGINE_LIMITS[key][1]


@pytest.mark.parametrize(
    "shape,said",
    [
        # One rule joining more concluded names than the engine joins (« error code 304 »).
        ("lus_par_regle", "règle r"),
        # More engine rules waiting for one name than it links (a crash at 256).
        ("lecteurs", "« a0 » est lue"),
        # More concluded names waited for than its hash table holds (a hang at 512).
        ("noms_attendus", "valeurs établies par des règles sont lues"),
        # More engine rules than one ruleset holds (« error code 106 » past 4 096).
        ("regles_moteur", "ensembles de valeurs"),
    ],
)
def test_rules_beyond_the_engine_limits_are_refused_and_rules_at_them_run(shape: str, said: str) -> None:
    """The limits kept are below what durable_rules takes (ENGINE_LIMITS): one more is refused
    with a French error naming the rule book, and exactly at the limit the engine runs."""

    def rules(count: int) -> list[Rule]:
        if shape == "lus_par_regle":
            base = [_rule(i, {f"a{i}": "g"}) for i in range(count)]
            return [*base, _rule(count, {"z": " + ".join(f"a{i}" for i in range(count))})]
        if shape == "lecteurs":  # each reads a0 and another name: a set of its own
            base = [_rule(i, {f"a{i}": "g"}) for i in range(count + 1)]
            return [*base, *(_rule(count + 1 + i, {f"x{i}": f"a0 + a{i + 1}"}) for i in range(count))]
        if shape == "noms_attendus":
            return [_rule(0, {"a0": "g"}), *(_rule(i, {f"a{i}": f"a{i - 1} + 1"}) for i in range(1, count + 1))]
        base = [_rule(i, {f"a{i}": "g"}) for i in range(80)]  # pairs of 80 names: 3 160 sets
        pairs = [(i, j) for i in range(80) for j in range(i + 1, 80)][: count - 1]
        return [*base, *(_rule(80 + n, {f"x{n}": f"a{i} + a{j}"}) for n, (i, j) in enumerate(pairs))]

    limit = _kept(shape)
    with pytest.raises(RuleFileError, match=said) as raised:
        check_capacity(rules(limit + 1), "règles d'essai/")
    assert str(raised.value).startswith("règles d'essai/")
    at_limit = CompiledRuleset(rules(limit), ["g"])
    assert at_limit.run({"g": 1}).values["a0"] == 1


def test_reloading_rule_books_does_not_grow_memory() -> None:
    """Each freshly loaded book, and every ruleset compiled for it, is freed once unused (they
    were kept forever: about 1.3 MB per book)."""
    examples = Path(__file__).parent.parent / "examples"
    commune_data, epci_data, contract_data, history_data = (
        read_file(examples / name)
        for name in ("commune_exemple.yaml", "epci_depliant_dhup.yaml", "contrat_depliant_mutualisant.yaml", "commune_historique.yaml")
    )

    def use_a_fresh_book() -> weakref.ref[RuleBook]:
        book = load_rulebook_from(rules_root())
        evaluate(commune_data, rulebook=book)
        evaluate_epci(epci_data, rulebook=book)
        check_contract(contract_data, rulebook=book)
        commune_history(history_data, rulebook=book)
        return weakref.ref(book)

    def resident_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))

    for _ in range(5):
        use_a_fresh_book()
    gc.collect()
    before = resident_mb()
    books = [use_a_fresh_book() for _ in range(30)]
    gc.collect()
    assert all(book() is None for book in books), "a rule book is still referenced after use"
    assert resident_mb() - before < 12, f"{resident_mb() - before:.1f} Mo de plus après 30 chargements"
