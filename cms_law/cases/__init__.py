"""The legal test cases as part of the product: their format (:mod:`.format`), their runner
(:mod:`.runner`) and ``cms-law test``'s report (:mod:`.report`), used by the test suite, the
documentation site and the command line alike.
"""

from .format import (
    CASE_FIELDS,
    CONTRACT_CASE_FIELDS,
    Case,
    CaseFileError,
    ContractCase,
    LegalCase,
    case_files,
    load_cases,
    load_contract_cases,
    read_case_file,
    read_cases,
)
from .report import FORMATS, FileReport, Report, render, report_as_dict, run_paths
from .runner import (
    CaseResult,
    ContractCaseResult,
    Figure,
    iter_mismatches,
    run_any,
    run_case,
    run_cases,
    run_contract_case,
)

__all__ = [
    "CASE_FIELDS",
    "CONTRACT_CASE_FIELDS",
    "FORMATS",
    "Case",
    "CaseFileError",
    "CaseResult",
    "ContractCase",
    "ContractCaseResult",
    "Figure",
    "FileReport",
    "LegalCase",
    "Report",
    "case_files",
    "iter_mismatches",
    "load_cases",
    "load_contract_cases",
    "read_case_file",
    "read_cases",
    "render",
    "report_as_dict",
    "run_any",
    "run_case",
    "run_cases",
    "run_contract_case",
    "run_paths",
]
