"""The declarative legal cases of proposed contracts (``tests/cas_contrats/``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms_law import load_rulebook
from cms_law.cases import ContractCase, load_contract_cases, run_contract_case

CASES = load_contract_cases(Path(__file__).parent / "cas_contrats")


def test_there_are_contract_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_contract_case(case: ContractCase) -> None:
    """The verdict expected, and exactly the violations expected (run as « cms-law test » runs it)."""
    result = run_contract_case(case)
    assert not result.ecarts, f"{case.fichier} / {case.id} ({', '.join(case.verifie)}) :\n" + "\n".join(result.ecarts)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_contract_case_names_an_encoded_alinea(case: ContractCase) -> None:
    book = load_rulebook()
    encoded = {c.court for v in book.verifications for c in v.citations}
    encoded |= {c.court for d in book.derogations for condition in d.conditions for c in condition.citations}
    assert set(case.verifie) <= encoded, f"{case.id} : {set(case.verifie) - encoded}"
