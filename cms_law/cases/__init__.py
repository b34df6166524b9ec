"""The legal test cases as part of the product: their format (:mod:`.format`) and their runner
(:mod:`.runner`), used by the test suite and by the documentation site alike.
"""

from .format import (
    CASE_FIELDS,
    CONTRACT_CASE_FIELDS,
    ContractCase,
    LegalCase,
    load_cases,
    load_contract_cases,
)
from .runner import CaseResult, iter_mismatches, run_case, run_cases

__all__ = [
    "CASE_FIELDS",
    "CONTRACT_CASE_FIELDS",
    "CaseResult",
    "ContractCase",
    "LegalCase",
    "iter_mismatches",
    "load_cases",
    "load_contract_cases",
    "run_case",
    "run_cases",
]
