"""The results of an evaluation: the period, the explanation's steps, the derogations, the evaluation.

Frozen ``attrs`` data, like the law they come from. Their views (French text, JSON) are drawn by
:mod:`cms_law.explain`, through the registry of :mod:`cms_law.model.views`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..expressions import Value
from .law import Citation, Condition, Derogation, LawRegime, Rule, RuleBook, _frozen_mapping
from . import views
@attrs.frozen
class TriennialPeriod:
    """The triennial period evaluated (``2023-2025``) and the day the law is read at."""

    debut: int
    fin: int
    date_reference: dt.date

    def __str__(self) -> str:
        return f"{self.debut}-{self.fin}"


@attrs.frozen
class Step:
    """One link of an explanation: which rule (or convention) gave which value, from what, why."""

    regle: str
    nature: str  # "regle" or "convention"
    titre: str
    citations: tuple[Citation, ...]
    entrees: Mapping[str, Value] = attrs.field(converter=_frozen_mapping)
    valeurs: Mapping[str, Value] = attrs.field(converter=_frozen_mapping)
    #: Renders the French sentence: an explanation is data first, its text is made on first use.
    render: Callable[[], str] = attrs.field(repr=False, eq=False)

    @functools.cached_property
    def texte(self) -> str:
        """The step in one French sentence, numbers and dates formatted for fr_FR."""
        return self.render()


@attrs.frozen
class Explanation:
    """The chain of steps behind a result, in the order they were drawn."""

    etapes: tuple[Step, ...]

    def rule_ids(self) -> tuple[str, ...]:
        return tuple(step.regle for step in self.etapes)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.etapes)

    def __len__(self) -> int:
        return len(self.etapes)


@attrs.frozen
class CheckedCondition:
    """A derogation's condition and whether the commune meets it (``None``: the input cannot tell)."""

    condition: Condition
    remplie: bool | None


#: The states of a derogation for one commune: open; its conditions met, but open only if the
#: préfet agrees (the derogation's ``appreciation``); closed (a condition fails); undetermined
#: (a condition the input cannot decide).
OUVERTE, A_L_APPRECIATION_DU_PREFET, FERMEE, INDETERMINEE = (
    "ouverte", "a_l_appreciation_du_prefet", "fermee", "indeterminee"
)
ETATS_DEROGATION = (OUVERTE, A_L_APPRECIATION_DU_PREFET, FERMEE, INDETERMINEE)
#: The states in which a derogation may be used (its explanation says how, and what it requires).
POSSIBLES = frozenset({OUVERTE, A_L_APPRECIATION_DU_PREFET})


@attrs.frozen
class DerogationResult:
    """A derogation as it stands for one commune: its state, its floor, what it requires."""

    derogation: Derogation
    etat: str
    plancher: int | None
    periodes_restantes: int | None
    conditions: tuple[CheckedCondition, ...]
    render: Callable[[], str] = attrs.field(repr=False, eq=False)
    #: Whether the case of the derogation's ``appreciation`` is met (absent: it has none).
    appreciation: CheckedCondition | None = None

    @property
    def ouverte(self) -> bool:
        """Open as of right, without the préfet's discretion."""
        return self.etat == OUVERTE

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The derogation's alinéas, and those that leave it to the préfet when they do."""
        extra = self.appreciation.condition.citations if self.etat == A_L_APPRECIATION_DU_PREFET and self.appreciation else ()
        return (*self.derogation.citations, *extra)

    @property
    def possible(self) -> bool | None:
        """Open or at the préfet's discretion; ``None`` when the input cannot tell."""
        return None if self.etat == INDETERMINEE else self.etat in POSSIBLES

    @functools.cached_property
    def texte(self) -> str:
        """What the derogation allows, or why it is closed, in French, with its requirements."""
        return self.render()


@attrs.frozen
class RuleNotApplied:
    """A rule in force that was weighed and did not apply (``--pourquoi-pas``), or a derogation's
    condition that is not met: why, the part of its condition that failed and the values it read."""

    regle: str
    titre: str
    citations: tuple[Citation, ...]
    #: « condition_fausse », « donnees_manquantes », « exception » (another rule took precedence).
    raison: str
    #: The part of the condition that failed (one term of an « et »), or the whole condition.
    condition: str | None
    valeurs: Mapping[str, Value] = attrs.field(converter=_frozen_mapping)
    #: The rules that took precedence over it (``raison == "exception"``).
    ecartee_par: tuple[str, ...] = ()
    nature: str = "regle"  # or "derogation": a condition of a derogation that is not met


@attrs.frozen
class Evaluation(views.Rendered):
    """The result of evaluating one commune for one period, with its explanation.

    ``valeurs`` holds every figure the rules produced (exact numbers), ``origines`` the id of the
    rule that produced each one. Use ``evaluation["objectif_triennal"]`` to read a figure,
    :meth:`texte` for the French explanation and :meth:`as_dict` / :meth:`to_json` for JSON.
    """

    commune: Mapping[str, Value] = attrs.field(converter=_frozen_mapping)
    periode: TriennialPeriod
    regime: LawRegime
    valeurs: Mapping[str, Value] = attrs.field(converter=_frozen_mapping)
    origines: Mapping[str, str] = attrs.field(converter=_frozen_mapping)
    conventions: Mapping[str, str] = attrs.field(converter=_frozen_mapping)
    conventions_modifiees: frozenset[str]
    #: Gives the explanation: made on first use (a batch without ``--explain`` never reads it).
    _explain: Callable[[], Explanation] = attrs.field(alias="explain", repr=False, eq=False)
    rulebook: RuleBook = attrs.field(repr=False, eq=False)
    derogations: tuple[DerogationResult, ...] = ()
    #: The rules weighed that did not apply, when asked for (``evaluate(..., pourquoi_pas=True)``).
    pourquoi_pas: tuple[RuleNotApplied, ...] | None = None

    @functools.cached_property
    def explication(self) -> Explanation:
        """The chain of steps behind the result: every rule that gave a value, and the conventions used."""
        return self._explain()

    def __getitem__(self, name: str) -> Value:
        return self.valeurs[name]

    def rule_of(self, name: str) -> Rule | None:
        """The rule that produced ``name`` (None for an input, or a value no rule gave)."""
        rule_id = self.origines.get(name)
        return None if rule_id is None else self.rulebook.rule(rule_id, self.periode.date_reference)

    def citation_of(self, name: str) -> Citation | None:
        """The first citation of the rule that produced ``name`` (its « régime »)."""
        rule = self.rule_of(name)
        return rule.citations[0] if rule and rule.citations else None

    def as_dict(self, explication: bool = True) -> dict[str, Any]:
        """The result as JSON-ready data; ``explication=False`` leaves out the explanation steps."""
        return views.ResultData(views.render(self, "as_dict", explication))
