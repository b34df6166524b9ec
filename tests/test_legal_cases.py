"""The legal test cases of ``tests/cas/``: each names the alinéa it checks, and is run here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cms_law import load_rulebook
from cms_law.cases import LegalCase, load_cases, run_case

CASES = load_cases(Path(__file__).parent / "cas")
# « L. 302-8, VII, 1° », « L. 302-8, III », or « L. 302-5, al. 1 » for an article without sections
# (the rédactions of the 2000s).
CITATION = re.compile(r"^(L|R)\. \d{3}-\d+(-\d+)*((, [IVX]+( bis| ter)?)(, (al\. \d+|\d+°))?|, al\. \d+)?$")


def test_there_are_enough_legal_cases() -> None:
    assert len([case for case in CASES if case.attendu is not None]) >= 40
    assert len([case for case in CASES if case.erreur is not None]) >= 10


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_legal_case(case: LegalCase) -> None:
    """An input refused naming the field expected, or a result with every value expected."""
    result = run_case(case)
    assert not result.ecarts, f"{case.fichier} / {case.id} ({', '.join(case.verifie)}) :\n" + "\n".join(result.ecarts)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_legal_case_names_a_real_alinea(case: LegalCase) -> None:
    """Each case checks an alinéa stored in rules/ (or the input rules, « entrée »)."""
    stored = {citation.court for rule in load_rulebook().regles for citation in rule.citations}
    stored |= {c.court for p in load_rulebook().parametres for c in p.citations}
    stored |= {c.court for c in load_rulebook().controles for c in c.citations}
    for derogation in load_rulebook().derogations:
        stored |= {c.court for c in derogation.citations}
        stored |= {c.court for condition in derogation.conditions for c in condition.citations}
    for citation in case.verifie:
        if citation == "entrée":
            continue
        assert CITATION.match(citation), f"citation mal formée : {citation}"
        assert citation in stored, f"{case.id} : {citation} n'est cité par aucune règle de rules/"
