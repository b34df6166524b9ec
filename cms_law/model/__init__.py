"""The data model: the law as loaded from ``rules/`` (:mod:`~cms_law.model.law`), and the results of
an evaluation (:mod:`~cms_law.model.results`).

Frozen ``attrs`` data that renders nothing: the French text and JSON of a result are drawn by
:mod:`cms_law.explain`, registered in :mod:`~cms_law.model.views`.
"""

from . import law
from .law import (
    Aggregate,
    Alinea,
    Appreciation,
    ArticleVersion,
    Check,
    Citation,
    Condition,
    Convention,
    DatedValue,
    Derogation,
    Fragment,
    HistoryColumn,
    HistoryLayout,
    InputField,
    Law,
    LawRegime,
    Parameter,
    Period,
    Requirement,
    Rule,
    RuleBook,
    TableColumn,
    Total,
    Variable,
    Verification,
)
from .reform import CHANGE_KINDS, Reform, ReformChange
from .results import (
    CheckedCondition,
    DerogationResult,
    Evaluation,
    Explanation,
    RuleNotApplied,
    Step,
    TriennialPeriod,
)

#: The kinds of provenance a stored alinéa can have, with the French words shown to readers.
PROVENANCES = law.PROVENANCES
#: The same, in a few words, for the reference line under each step of an explanation.
PROVENANCES_ABREGEES = law.PROVENANCES_ABREGEES

# In reading order: the API reference lists them so.
__all__ = [
    "CHANGE_KINDS",
    "Reform",
    "ReformChange",
    "RuleNotApplied",
    "PROVENANCES",
    "PROVENANCES_ABREGEES",
    "Law",
    "Period",
    "Alinea",
    "ArticleVersion",
    "Citation",
    "DatedValue",
    "Parameter",
    "Convention",
    "Rule",
    "Variable",
    "InputField",
    "Check",
    "Condition",
    "Appreciation",
    "Requirement",
    "Derogation",
    "Aggregate",
    "Verification",
    "TableColumn",
    "Fragment",
    "Total",
    "HistoryColumn",
    "HistoryLayout",
    "LawRegime",
    "RuleBook",
    "TriennialPeriod",
    "Step",
    "Explanation",
    "CheckedCondition",
    "DerogationResult",
    "Evaluation",
]
