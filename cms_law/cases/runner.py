"""Running a legal case: the commune evaluated, and every departure from what the case expects.

The result is data (:class:`CaseResult`): the evaluation or the error the engine gave, and the
departures, each a French line naming the output — the test suite asserts there are none, and
the documentation site shows them beside the expected values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..errors import CmsLawError, InputError
from ..evaluator import evaluate
from ..model import Evaluation, RuleBook
from .format import LegalCase


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

    @property
    def id(self) -> str:
        return self.cas.id

    @property
    def fichier(self) -> str:
        """The case's file, without ``.yaml``."""
        return self.cas.fichier.removesuffix(".yaml")


def run_case(case: LegalCase, book: RuleBook | None = None) -> CaseResult:
    """Evaluate a case (with ``book``, by default the rules shipped) and compare with what it expects.

    A case that expects an error passes when the input is refused and the field it names is among
    those blamed; one that expects a result, when every value it gives is the engine's.
    """
    evaluation, erreur, ecarts = None, None, []
    ecarts_par_sortie: dict[str, tuple[str, ...]] = {}
    try:
        evaluation = evaluate(case.entree, case.periode, case.conventions, rulebook=book)
    except CmsLawError as error:
        erreur = error
    if case.erreur is not None:
        if not (isinstance(erreur, InputError) and case.erreur.get("champ") in erreur.champs):
            ecarts.append(f"erreur attendue sur « {case.erreur.get('champ')} », obtenu : {erreur or 'aucune erreur'}")
    elif evaluation is None:
        ecarts.append(f"erreur : {erreur}")
    else:
        result = evaluation.as_dict()
        for key, expected in (case.attendu or {}).items():
            ecarts_par_sortie[key] = tuple(iter_mismatches({key: expected}, result))
            ecarts += ecarts_par_sortie[key]
    return CaseResult(case, evaluation, erreur, tuple(ecarts), ecarts_par_sortie)


def run_cases(cases: Iterable[LegalCase], book: RuleBook | None = None) -> list[CaseResult]:
    """Every case run, in order."""
    return [run_case(case, book) for case in cases]


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
