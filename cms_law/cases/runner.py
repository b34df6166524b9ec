"""Running a legal case: the commune evaluated (or the contract checked), and every departure from
what the case expects.

The result is data (:class:`CaseResult`, :class:`ContractCaseResult`): what the engine gave, and
the departures, each a French line naming the output — the test suite asserts there are none, the
documentation site shows them beside the expected values, and ``cms-law test`` reports them
(:mod:`.report`) with the figures expected and obtained and the citations of the rules involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..contract import ContractCheck, check_contract
from ..errors import CmsLawError, InputError
from ..evaluator import evaluate
from ..model import Evaluation, RuleBook
from .format import Case, ContractCase, LegalCase


@attrs.frozen
class Figure:
    """One output a case expects: the value expected, the value obtained, the rule that gave it."""

    sortie: str
    attendu: Any
    obtenu: Any
    ecarts: tuple[str, ...]
    regles: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()


@attrs.frozen
class CaseResult:
    """A legal case and what the engine made of it."""

    cas: LegalCase
    evaluation: Evaluation | None
    erreur: CmsLawError | None
    #: Where the engine departs from what the case expects (empty: the case passes).
    ecarts: tuple[str, ...]
    #: The same, by expected output.
    ecarts_par_sortie: Mapping[str, tuple[str, ...]]
    #: Each output expected, with what was obtained and the rule that gave it.
    chiffres: tuple[Figure, ...] = ()

    @property
    def id(self) -> str:
        return self.cas.id

    @property
    def fichier(self) -> str:
        """The case's file, without ``.yaml``."""
        return self.cas.fichier.removesuffix(".yaml")

    @property
    def reussi(self) -> bool:
        return not self.ecarts


@attrs.frozen
class ContractCaseResult:
    """A contract case and the verdict the engine gave."""

    cas: ContractCase
    verification: ContractCheck | None
    erreur: CmsLawError | None
    ecarts: tuple[str, ...]
    chiffres: tuple[Figure, ...] = ()

    @property
    def id(self) -> str:
        return self.cas.id

    @property
    def reussi(self) -> bool:
        return not self.ecarts


AnyResult = CaseResult | ContractCaseResult


def run_case(case: LegalCase, book: RuleBook | None = None) -> CaseResult:
    """Evaluate a case (with ``book``, by default the rules shipped) and compare with what it expects.

    A case that expects an error passes when the input is refused and the field it names is among
    those blamed; one that expects a result, when every value it gives is the engine's.
    """
    evaluation, erreur, ecarts = None, None, []
    ecarts_par_sortie: dict[str, tuple[str, ...]] = {}
    figures: list[Figure] = []
    try:
        evaluation = evaluate(case.entree, case.periode, case.conventions, rulebook=book)
    except CmsLawError as error:
        erreur = error
    if case.erreur is not None:
        champ = case.erreur.get("champ")
        obtained = list(erreur.champs) if isinstance(erreur, InputError) else None
        if not (isinstance(erreur, InputError) and champ in erreur.champs):
            ecarts.append(f"erreur attendue sur « {champ} », obtenu : {erreur or 'aucune erreur'}")
        figures.append(Figure("erreur", champ, obtained, tuple(ecarts)))
    elif evaluation is None:
        ecarts.append(f"erreur : {erreur}")
    else:
        result = evaluation.as_dict()
        for key, expected in (case.attendu or {}).items():
            ecarts_par_sortie[key] = tuple(iter_mismatches({key: expected}, result))
            ecarts += ecarts_par_sortie[key]
            rules = _rules_of(evaluation, key)
            figures.append(Figure(key, expected, result.get(key), ecarts_par_sortie[key], *rules))
    return CaseResult(case, evaluation, erreur, tuple(ecarts), ecarts_par_sortie, tuple(figures))


def run_contract_case(case: ContractCase, book: RuleBook | None = None) -> ContractCaseResult:
    """Check a contract case: the verdict and the exact sets of violations and of checks the input
    cannot decide (« REGLE / COMMUNE »)."""
    try:
        check = check_contract(case.contrat, case.periode, case.conventions, rulebook=book)
    except CmsLawError as error:
        return ContractCaseResult(case, None, error, (f"erreur : {error}",))
    verdict = [] if check.valide is case.valide else [
        f"valide : attendu {_yes(case.valide)}, obtenu {_yes(check.valide)}"
    ]
    figures = [Figure("valide", case.valide, check.valide, tuple(verdict))]
    for name, expected, found, words in (
        ("violations", case.violations, check.violations, "violation"),
        ("non_verifiables", case.non_verifiables, check.indeterminees, "vérification non vérifiable"),
    ):
        named = {f"{f.verification.id} / {f.commune}" if f.commune else f.verification.id for f in found}
        if name == "non_verifiables" and not expected and not named:
            continue
        gaps = (*(f"{words} attendue non relevée : {x}" for x in sorted(expected - named)),
                *(f"{words} relevée non attendue : {x}" for x in sorted(named - expected)))
        figures.append(Figure(
            name, sorted(expected), sorted(named), gaps,
            tuple(dict.fromkeys(f.verification.id for f in found)),
            tuple(dict.fromkeys(c.court for f in found for c in f.citations)),
        ))
    return ContractCaseResult(case, check, None, tuple(e for figure in figures for e in figure.ecarts), tuple(figures))


def run_any(case: Case, book: RuleBook | None = None) -> AnyResult:
    """A commune case or a contract case, run."""
    if isinstance(case, ContractCase):
        return run_contract_case(case, book)
    return run_case(case, book)


def run_cases(cases: Iterable[LegalCase], book: RuleBook | None = None) -> list[CaseResult]:
    """Every case run, in order."""
    return [run_case(case, book) for case in cases]


def _yes(value: bool) -> str:
    return "vrai" if value else "faux"


def _rules_of(evaluation: Evaluation, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rules that gave an output (each of a group's, or the one a citation output names) and
    their citations."""
    book = evaluation.rulebook
    names = [key]
    for entry in book.sorties:
        if isinstance(entry, dict) and key in entry:
            spec = entry[key]
            names = list(spec) if isinstance(spec, list) else [spec["citation_de"]]
    rules = [rule for rule in (evaluation.rule_of(name) for name in names) if rule is not None]
    rule_ids = tuple(dict.fromkeys(rule.id for rule in rules))
    return rule_ids, tuple(dict.fromkeys(c.court for rule in rules for c in rule.citations))


def iter_mismatches(expected: Any, actual: Any, path: str = "") -> Iterator[str]:
    """Every difference between an expected subset and an actual JSON result."""
    if isinstance(expected, dict) and isinstance(actual, list):
        # A list of typed items (the derogations) is checked by type: {abaissement: {...}}.
        actual = {item.get("type"): item for item in actual if isinstance(item, dict)}
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield f"{path or 'résultat'} : attendu {expected!r}, obtenu {actual!r}"
            return
        for key, value in expected.items():
            if key not in actual:
                yield f"{path}{key} : clé absente du résultat"
            else:
                yield from iter_mismatches(value, actual[key], f"{path}{key}.")
        return
    where = path.rstrip(".")
    if isinstance(expected, str) and isinstance(actual, str):
        try:
            if Decimal(expected) == Decimal(actual):
                return
        except InvalidOperation:
            pass
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        if expected is not actual:
            yield f"{where} : attendu {expected!r}, obtenu {actual!r}"
        return
    if expected != actual:
        yield f"{where} : attendu {expected!r}, obtenu {actual!r}"
