"""Explanations rendered: results as JSON-ready data (:mod:`.data`) and as French text (:mod:`.text`).

The steps of an explanation are data, built with the evaluation (:mod:`cms_law.reasoning`); this
package only lays them out. Importing it registers its renderers as the views of the results
(:mod:`cms_law.model.views`), so that ``Evaluation.texte()``, ``as_dict()`` and ``to_json()`` work
though the model does not import the presentation.
"""

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

for _kind, _view, _renderer in (
    (Evaluation, "as_dict", evaluation_as_dict),
    (Evaluation, "texte", render_text),
    (EpciEvaluation, "as_dict", epci_as_dict),
    (EpciEvaluation, "texte", render_epci_text),
    (ContractCheck, "as_dict", contract_as_dict),
    (ContractCheck, "texte", render_contract_text),
):
    # A result computed under a reform says so first, whatever its kind.
    register(_kind, _view, stamped_dict(_renderer) if _view == "as_dict" else stamped_text(_renderer))
# The contract's table alone, for a spreadsheet: a CSV has no place for a stamp but its rows.
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
