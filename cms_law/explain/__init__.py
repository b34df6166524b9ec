"""Explanations rendered: results as JSON-ready data (:mod:`.data`) and as French text (:mod:`.text`).

The steps of an explanation are data, built with the evaluation (:mod:`cms_law.reasoning`); this
package only lays them out. Importing it registers its renderers as the views of the results
(:mod:`cms_law.model.views`), so that ``Evaluation.texte()``, ``as_dict()`` and ``to_json()`` work
though the model does not import the presentation.
"""

from collections.abc import Callable
from typing import Any

from ..contract import ContractCheck
from ..epci import EpciEvaluation
from ..french import exact_decimal, fill, french
from ..model import Evaluation
from ..model.views import register, to_json
from .data import (
    citation_as_dict,
    contract_as_dict,
    contract_table_csv,
    derogation_as_dict,
    epci_as_dict,
    evaluation_as_dict,
    evaluation_figures,
    input_error_as_dict,
    json_value,
    overlaps_as_data,
    rules_as_data,
    step_as_dict,
)
from .provenance import provenance, provenance_comment, provenance_lines
from .reform import reform_as_dict, reform_banner, stamped_dict, stamped_text
from .text import (
    UNKNOWN_IN_SUMMARY,
    aggregate_text,
    cite_in_full,
    render_contract_text,
    render_epci_text,
    render_text,
    sentence,
    summary,
)

# A result computed under a reform says so first, whatever its kind.
_DATA: tuple[tuple[type, Callable[..., dict[str, Any]]], ...] = (
    (Evaluation, evaluation_as_dict), (EpciEvaluation, epci_as_dict), (ContractCheck, contract_as_dict),
)
_TEXT: tuple[tuple[type, Callable[..., str]], ...] = (
    (Evaluation, render_text), (EpciEvaluation, render_epci_text), (ContractCheck, render_contract_text),
)
for _kind, _data in _DATA:
    register(_kind, "as_dict", stamped_dict(_data))
for _kind, _text in _TEXT:
    register(_kind, "texte", stamped_text(_text))
# The contract's table, for a spreadsheet: under a reform, its rows name it (contract_table_csv).
register(ContractCheck, "csv", contract_table_csv)

__all__ = [
    "UNKNOWN_IN_SUMMARY",
    "aggregate_text",
    "citation_as_dict",
    "cite_in_full",
    "contract_as_dict",
    "contract_table_csv",
    "derogation_as_dict",
    "epci_as_dict",
    "evaluation_as_dict",
    "evaluation_figures",
    "exact_decimal",
    "fill",
    "french",
    "input_error_as_dict",
    "json_value",
    "render_contract_text",
    "render_epci_text",
    "reform_as_dict",
    "reform_banner",
    "render_text",
    "overlaps_as_data",
    "provenance",
    "provenance_comment",
    "provenance_lines",
    "rules_as_data",
    "sentence",
    "step_as_dict",
    "summary",
    "to_json",
]
