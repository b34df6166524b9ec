"""The law as loaded from ``rules/``: texts and alinéas, rules, parameters, vocabulary, the rule book.

Every object is a frozen ``attrs`` class: a loaded rule book can be shared between threads and
kept as evidence without anyone changing it behind the caller's back.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from .reform import Reform
from ..expressions import Expression, Value
from ..french import french

#: The kinds of provenance a stored alinéa can have, with the French words shown to readers.
PROVENANCES: Mapping[str, str] = {
    "authentique": "texte consolidé (extrait authentique)",
    "guide": "texte cité par le guide officiel de la DHUP",
    "projet_de_loi": "texte du projet de loi (à vérifier sur le texte consolidé)",
    "non_disponible": "texte non disponible",
}

#: The same, in a few words, for the reference line under each step of an explanation.
PROVENANCES_ABREGEES: Mapping[str, str] = {
    "authentique": "texte consolidé",
    "guide": "cité par le guide",
    "projet_de_loi": "projet de loi",
    "non_disponible": "texte non disponible",
}


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return dict(value)


_Versioned = TypeVar("_Versioned")


@attrs.frozen
class Law:
    """An amending law (``loi n° 2022-217 du 21 février 2022``)."""

    id: str
    titre: str
    titre_court: str
    date: dt.date
    nom_usuel: str | None = None


@attrs.frozen
class Period:
    """A validity interval, both ends included; ``fin`` is ``None`` while in force."""

    debut: dt.date
    fin: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return self.debut <= day and (self.fin is None or day <= self.fin)

    def overlaps(self, other: Period) -> bool:
        return (self.fin is None or other.debut <= self.fin) and (
            other.fin is None or self.debut <= other.fin
        )

    def within(self, other: Period) -> bool:
        return other.debut <= self.debut and (
            other.fin is None or (self.fin is not None and self.fin <= other.fin)
        )


@attrs.frozen
class Alinea:
    """One alinéa (or numbered item) of one version of an article, with its provenance."""

    id: str
    section: str | None
    alinea: int | None
    item: str | None
    provenance: str
    source: str | None
    complet: bool
    texte: str | None
    note: str | None
    #: Why this alinéa produces no figure (a procedure, a body, a power left to the préfet…), when
    #: no rule encodes it: the coverage page shows it instead of « non encodé ».
    sans_calcul: str | None = None


@attrs.frozen
class ArticleVersion:
    """One version of an article: its validity, the law that made it and its alinéas."""

    article: str
    code: str
    validite: Period
    debut_precision: str
    loi: Law | None
    legifrance: str | None
    note: str | None
    sources: Mapping[str, str] = attrs.field(converter=_frozen_mapping)
    alineas: tuple[Alinea, ...]
    fichier: str

    def alinea(self, alinea_id: str) -> Alinea | None:
        return next((a for a in self.alineas if a.id == alinea_id), None)

    @property
    def redaction(self) -> str:
        """Which wording this is, in the words of a legal citation."""
        if self.loi is not None:
            return f"dans sa rédaction issue de la {self.loi.titre_court}"
        inferred = " (date inférée)" if self.debut_precision == "inferee" else ""
        return f"dans sa rédaction en vigueur au {french(self.validite.debut, 'date')}{inferred}"


@attrs.frozen
class Citation:
    """A reference to one stored alinéa of one article version."""

    version: ArticleVersion
    alinea: Alinea

    @functools.cached_property
    def court(self) -> str:
        """Short form, as practitioners write it, with the code's own alinéa count where it helps.

        An item shows its alinéa in the section (``L. 302-8, VII, 1° (al. 3)``: the code counts
        items as alinéas, R. 302-15 cites « le douzième alinéa du IV »); a plain paragraph shows its
        number when its section has several (``L. 302-8, IX, al. 5``), none when it is alone
        (``L. 302-8, III``).
        """
        parts = [self.version.article]
        if self.alinea.section:
            parts.append(self.alinea.section)
        if self.alinea.item:
            item = self.alinea.item
            if self.alinea.alinea is not None:
                item += f" (al. {self.alinea.alinea})"
            parts.append(item)
        elif self.alinea.alinea is not None and (not self.alinea.section or self._section_has_several_alineas()):
            parts.append(f"al. {self.alinea.alinea}")
        return ", ".join(parts)

    @property
    def formes(self) -> tuple[str, ...]:
        """Every short form a reader may write for this alinéa: the ``court`` one first, then, for
        an item, the item alone (``L. 302-8, VII, 1°``) and its alinéa number (``L. 302-8, VII, al. 3``)."""
        if not self.alinea.item or self.alinea.alinea is None:
            return (self.court,)
        prefix = ", ".join(filter(None, [self.version.article, self.alinea.section]))
        return (self.court, f"{prefix}, {self.alinea.item}", f"{prefix}, al. {self.alinea.alinea}")

    def _section_has_several_alineas(self) -> bool:
        return any(
            other.section == self.alinea.section and other.alinea not in (None, self.alinea.alinea)
            for other in self.version.alineas
        ) or self.alinea.alinea not in (None, 1)

    @property
    def long(self) -> str:
        """Full French form, naming the code and the law the version comes from."""
        return f"article {self.court} du {self.version.code}, {self.version.redaction}"

    @property
    def provenance(self) -> str:
        return self.alinea.provenance


@attrs.frozen
class DatedValue:
    depuis: dt.date
    valeur: Value


@attrs.frozen
class Parameter:
    """A legal figure with its dated values (OpenFisca-like) and the alinéa that sets it.

    Several versions of an article may set the same figure (the 20 % target of 2000, the 25 % of
    2013): each is a Parameter of the same name, valid while its article version is.
    """

    nom: str
    titre: str
    type: str
    citations: tuple[Citation, ...]
    valeurs: tuple[DatedValue, ...]
    fichier: str
    validite: Period

    def value_at(self, day: dt.date) -> Value:
        """The value in force on ``day``, or ``None`` before the first one or outside the version."""
        if not self.validite.contains(day):
            return None
        current: Value = None
        for dated in self.valeurs:
            if dated.depuis <= day:
                current = dated.valeur
        return current


@attrs.frozen
class Convention:
    """A choice the law leaves open, made explicit: an id, a default, the options, a justification."""

    nom: str
    titre: str
    interprete: tuple[Citation, ...]
    justification: str
    options: Mapping[str, str] = attrs.field(converter=_frozen_mapping)
    defaut: str
    fichier: str
    #: Why one may choose each option other than the default (``justification`` is the default's).
    justifications: Mapping[str, str] = attrs.field(default={}, converter=_frozen_mapping)

    def justification_of(self, option: str) -> str:
        return self.justification if option == self.defaut else self.justifications[option]


@attrs.frozen
class Rule:
    """A rule: when ``si`` holds, it concludes the values of ``alors``; it cites the law."""

    id: str
    titre: str
    citations: tuple[Citation, ...]
    validite: Period
    si: Expression | None
    alors: Mapping[str, Expression] = attrs.field(converter=_frozen_mapping)
    exception_de: tuple[str, ...]
    explication: str
    fichier: str
    #: The line of the rule file where it is written (for error messages; not part of its meaning).
    ligne: int | None = attrs.field(default=None, eq=False)

    @functools.cached_property
    def reads(self) -> frozenset[str]:
        """Every name the rule reads, in its condition and its formulas."""
        names = set(self.si.names) if self.si else set()
        for formula in self.alors.values():
            names |= formula.names
        return frozenset(names)


@attrs.frozen
class Variable:
    """A named legal quantity: its type and its French label."""

    nom: str
    type: str
    libelle: str
    description: str | None = None


@attrs.frozen
class InputField:
    """A field of the commune description a user provides."""

    cle: str
    variable: str
    type: str
    libelle: str
    description: str
    requis: bool
    defaut: Value = None
    minimum: Value = None
    maximum: Value = None
    motif: str | None = None
    #: The French label of each value a text field may take (« sans_amenagement » : « sans aménagement »).
    valeurs: Mapping[str, str] = attrs.field(default={}, converter=_frozen_mapping)

    def label_of(self, value: object) -> str:
        """The French label of one of the field's values (the value itself when it has none)."""
        return self.valeurs.get(str(value), str(value))


@attrs.frozen
class Check:
    """A condition the input must meet, checked before evaluation, with the field it blames."""

    champ: str
    condition: Expression
    message: str
    citations: tuple[Citation, ...]
    validite: Period
    fichier: str
    #: The line of the rule file where it is written (for error messages; not part of its meaning).
    ligne: int | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Condition:
    """One condition of a derogation, in words, with the alinéas that set it."""

    libelle: str
    citations: tuple[Citation, ...]
    condition: Expression


@attrs.frozen
class Requirement:
    """Something a derogation requires that the input cannot show (a signature, an opinion…)."""

    texte: str
    citations: tuple[Citation, ...]


@attrs.frozen
class Appreciation:
    """When a derogation whose conditions are met is open only if the préfet agrees: that case (in
    words, with its alinéas and its condition), and the sentence that then replaces
    ``explication_ouverte``."""

    cas: Condition
    explication: str


@attrs.frozen
class Derogation:
    """A way the law lets a commune depart from its legal objective, and its conditions.

    ``plancher`` and ``periodes_restantes`` name variables computed by rules (so their own
    reasoning is explained); the conditions are checked against the evaluation's values. Where
    the law leaves it to the préfet (``appreciation``), a derogation whose conditions are met may
    be at his discretion rather than open.
    """

    id: str
    type: str
    titre: str
    citations: tuple[Citation, ...]
    validite: Period
    conditions: tuple[Condition, ...]
    plancher: str | None
    periodes_restantes: str | None
    exigences: tuple[Requirement, ...]
    explication_ouverte: str
    explication_fermee: str
    fichier: str
    #: A boolean variable set to whether the derogation is possible (open, or at the préfet's
    #: discretion), for aggregates and verifications to read.
    variable_ouverte: str | None = None
    appreciation: Appreciation | None = None
    #: For a contract covering several periods: the contract type using this derogation, the
    #: input counting the consecutive periods it was used before, and when a period uses it.
    contrat: str | None = None
    compteur: str | None = None
    utilisee: Expression | None = None
    #: The line of the rule file where it is written (for error messages; not part of its meaning).
    ligne: int | None = attrs.field(default=None, eq=False)

    @property
    def fondements(self) -> tuple[Citation, ...]:
        """Every alinéa the derogation rests on: its own, its conditions', its requirements'."""
        return (
            *self.citations,
            *(c for condition in self.conditions for c in condition.citations),
            *(self.appreciation.cas.citations if self.appreciation else ()),
            *(c for requirement in self.exigences for c in requirement.citations),
        )


@attrs.frozen
class Aggregate:
    """A figure over the communes of an EPCI: a sum or a count, over those meeting ``parmi``."""

    nom: str
    titre: str
    citations: tuple[Citation, ...]
    operation: str  # "somme" or "compte"
    expression: Expression
    parmi: Expression | None
    validite: Period
    fichier: str
    #: "epci": over an EPCI's communes; "contrat": over a contract's communes, reading its fields;
    #: "arrondissements": over the arrondissements a contract gives one commune.
    pour: str = "epci"
    #: The line of the rule file where it is written (for error messages; not part of its meaning).
    ligne: int | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Verification:
    """A condition a proposed contract must meet, for each commune or for the whole contract.

    ``libelle`` says in French what is checked (the line of a check that holds); ``message`` why
    it fails. ``si`` is when the check applies at all: where it is false the check is « sans
    objet » for that commune, for the reason ``sans_objet`` gives (a commune of a whole-EPCI file
    that owes no objective)."""

    id: str
    portee: str  # "commune" or "contrat"
    types: tuple[str, ...]
    citations: tuple[Citation, ...]
    libelle: str
    condition: Expression
    message: str
    validite: Period
    fichier: str
    si: Expression | None = None
    sans_objet: str | None = None
    #: The line of the rule file where it is written (for error messages; not part of its meaning).
    ligne: int | None = attrs.field(default=None, eq=False)


@attrs.frozen
class TableColumn:
    """A column of the model contract's table of objectives."""

    cle: str
    libelle: str
    valeur: Expression
    total: Expression | None  # None: the sum of the communes
    type: str | None = None  # None: the type of the one variable shown, else a rate


@attrs.frozen
class Fragment:
    """A piece of a summary sentence (``syntheses`` in ``vocabulaire.yaml``), kept when ``si`` holds."""

    si: Expression | None
    texte: str


@attrs.frozen
class Total:
    """A figure of a batch's totals: the communes for which ``compte`` holds, or the sum of the
    variable ``somme`` over the communes where it is known."""

    cle: str
    libelle: str
    compte: Expression | None = None
    somme: str | None = None
    unite: str | None = None


@attrs.frozen
class HistoryColumn:
    """A column of the French table of ``cms-law history``: its heading and its cell's sentence."""

    libelle: str
    phrase: tuple[Fragment, ...]


@attrs.frozen
class HistoryLayout:
    """What ``cms-law history`` shows of each period (``syntheses.historique``)."""

    titre: str
    colonnes: tuple[str, ...]
    tableau: tuple[HistoryColumn, ...]
    titre_graphique: str
    valeur_graphique: str
    etiquette: tuple[Fragment, ...]


@attrs.frozen
class LawRegime:
    """A version of the encoded law as a whole: the state of the rules between two dates."""

    id: str
    titre: str
    validite: Period
    loi: Law | None


@attrs.frozen(eq=False)
class RuleBook:
    """Everything loaded from ``rules/``: the law texts, the rules and their vocabulary.

    Compared and hashed by identity: a rule book is a key of the compiled rulesets' caches, and
    two loads of the rule files are two books (one of them may have been edited in between).
    """

    lois: Mapping[str, Law] = attrs.field(converter=_frozen_mapping)
    regimes: tuple[LawRegime, ...]
    articles: tuple[ArticleVersion, ...]
    variables: Mapping[str, Variable] = attrs.field(converter=_frozen_mapping)
    entrees: tuple[InputField, ...]
    contexte: Mapping[str, Variable] = attrs.field(converter=_frozen_mapping)
    parametres: tuple[Parameter, ...]
    conventions: Mapping[str, Convention] = attrs.field(converter=_frozen_mapping)
    regles: tuple[Rule, ...]
    controles: tuple[Check, ...]
    sorties: tuple[Any, ...]
    periode: Mapping[str, Any] = attrs.field(converter=_frozen_mapping)
    derogations: tuple[Derogation, ...] = ()
    entrees_epci: tuple[InputField, ...] = ()
    agregats: tuple[Aggregate, ...] = ()
    derogations_epci: tuple[Derogation, ...] = ()
    entrees_contrat: tuple[InputField, ...] = ()
    entrees_contrat_commune: tuple[InputField, ...] = ()
    entrees_arrondissement: tuple[InputField, ...] = ()
    tableau_contrat: tuple[TableColumn, ...] = ()
    verifications: tuple[Verification, ...] = ()
    #: Summary sentences by use (``commune``, ``membre_epci``), and the totals of a batch.
    syntheses: Mapping[str, tuple[Fragment, ...]] = attrs.field(converter=_frozen_mapping, factory=dict)
    bilan: tuple[Total, ...] = ()
    historique: HistoryLayout | None = None
    #: The fingerprint of the rule files it was loaded from (:func:`cms_law.loader.reader.fingerprint`:
    #: sha256 hex of their sorted paths and bytes); None for a book built otherwise.
    empreinte: str | None = None
    #: Set when the book is the law changed by a reform (:mod:`cms_law.reforms`): every result
    #: drawn from it says so. ``None`` for the law as the rules folder encodes it.
    reforme: Reform | None = None

    def verifications_at(self, day: dt.date, contract_type: str) -> tuple[Verification, ...]:
        return tuple(
            v for v in self.verifications if v.validite.contains(day) and contract_type in v.types
        )

    def controles_at(self, day: dt.date) -> tuple[Check, ...]:
        return tuple(c for c in self.controles if c.validite.contains(day))

    def derogations_at(self, day: dt.date) -> tuple[Derogation, ...]:
        return tuple(d for d in self.derogations if d.validite.contains(day))

    def aggregates_at(self, day: dt.date, pour: str = "epci") -> tuple[Aggregate, ...]:
        """The aggregates in force over ``pour``; a contract's communes also get the EPCI's."""
        scopes = {"contrat": ("epci", "contrat")}.get(pour, (pour,))
        return tuple(a for a in self.agregats if a.validite.contains(day) and a.pour in scopes)

    def epci_derogations_at(self, day: dt.date) -> tuple[Derogation, ...]:
        return tuple(d for d in self.derogations_epci if d.validite.contains(day))

    def regime_at(self, day: dt.date) -> LawRegime | None:
        return next((regime for regime in self.regimes if regime.validite.contains(day)), None)

    def rules_at(self, day: dt.date) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.regles if rule.validite.contains(day))

    def parameters_at(self, day: dt.date) -> Mapping[str, Value]:
        """Every parameter name, with the value its version in force on ``day`` gives (or None)."""
        # Asked for every commune evaluated, always for one of a few days: computed once per day.
        values = self._parameters_by_day.get(day)
        if values is None:
            computed: dict[str, Value] = {parameter.nom: None for parameter in self.parametres}
            for parameter in self.parametres:
                if parameter.validite.contains(day):
                    computed[parameter.nom] = parameter.value_at(day)
            values = self._parameters_by_day[day] = MappingProxyType(computed)
        return values

    def parameter(self, name: str, day: dt.date | None = None) -> Parameter | None:
        """The parameter of that name (its version in force on ``day`` when one is given)."""
        versions = self._parameters_by_name.get(name, ())
        return next((p for p in versions if day is None or p.validite.contains(day)), None)

    def rule(self, rule_id: str, day: dt.date | None = None) -> Rule | None:
        """The rule of that id (its version in force on ``day`` when one is given)."""
        versions = self._rules_by_id.get(rule_id, ())
        return next((r for r in versions if day is None or r.validite.contains(day)), None)

    @functools.cached_property
    def _parameters_by_day(self) -> dict[dt.date, Mapping[str, Value]]:
        return {}

    @functools.cached_property
    def _parameters_by_name(self) -> Mapping[str, tuple[Parameter, ...]]:
        return _versions_by(self.parametres, lambda parameter: parameter.nom)

    @functools.cached_property
    def _rules_by_id(self) -> Mapping[str, tuple[Rule, ...]]:
        return _versions_by(self.regles, lambda rule: rule.id)

    @functools.cached_property
    def _types(self) -> dict[str, str | None]:
        return {}

    def type_of(self, name: str) -> str | None:
        """The declared type of any name a rule may read (kept: a result's JSON asks it per value)."""
        try:
            return self._types[name]
        except KeyError:
            kind = self._types[name] = self._declared_type(name)
            return kind

    def _declared_type(self, name: str) -> str | None:
        if name in self.variables:
            return self.variables[name].type
        if name in self.contexte:
            return self.contexte[name].type
        parameter = self.parameter(name)
        if parameter is not None:
            return parameter.type
        if name in self.conventions:
            return "texte"
        return None

    def label_of(self, name: str) -> str:
        for table in (self.variables, self.contexte):
            if name in table:
                return table[name].libelle
        parameter = self.parameter(name)
        if parameter is not None:
            return parameter.titre
        if name in self.conventions:
            return self.conventions[name].titre
        return name


def _versions_by(items: Sequence[_Versioned], key: Callable[[_Versioned], str]) -> Mapping[str, tuple[_Versioned, ...]]:
    """The versions of each item (a rule, a parameter), by its name, in file order."""
    grouped: dict[str, list[_Versioned]] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return {name: tuple(versions) for name, versions in grouped.items()}
