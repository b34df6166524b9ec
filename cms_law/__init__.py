"""cms-law: the SRU law on social housing quotas as declarative, cited and explained rules.

The law lives in the rule files shipped as ``cms_law.rules`` (the ``rules/`` folder of the
repository); this package is the engine that loads, compiles, evaluates and explains them.

>>> from cms_law import evaluate
>>> result = evaluate({"nom": "Exemple", "population": 12000, "unite_urbaine_paris": False,
...                    "agglomeration_ou_epci_eligible": True, "taux_cible": "25 %",
...                    "residences_principales": 4000, "logements_sociaux": 500, "plh": True})
>>> result["objectif_triennal"]
165
"""

from . import explain  # registers the views of the results: texte(), as_dict(), to_json()
from .documents import read_document
from .errors import CmsLawError, EvaluationError, InputError, Problem, RuleConflictError, RuleFileError
from .evaluator import evaluate
from .loader import load_rulebook
from .model import Citation, Evaluation, Explanation, Reform, RuleBook, RuleNotApplied, Step
from .reforms import ReformError, reformed_book
from .version import FORMAT_JSON, __version__

__all__ = [
    "Citation",
    "CmsLawError",
    "Evaluation",
    "EvaluationError",
    "Explanation",
    "FORMAT_JSON",
    "InputError",
    "Problem",
    "Reform",
    "ReformError",
    "RuleBook",
    "RuleConflictError",
    "RuleFileError",
    "RuleNotApplied",
    "Step",
    "evaluate",
    "load_rulebook",
    "read_document",
    "reformed_book",
]

