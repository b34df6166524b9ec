"""Step 4: the rules of each article version — its ``parametres``, ``conventions``, ``regles``,
``controles``, ``derogations``, ``agregats``, ``derogations_epci`` and ``verifications`` — each
item read strictly, its expressions parsed, its citations resolved to stored alinéas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..errors import RuleFileError
from ..model import (
    Aggregate,
    Appreciation,
    ArticleVersion,
    Check,
    Condition,
    Convention,
    DatedValue,
    Derogation,
    Parameter,
    Requirement,
    Rule,
    Verification,
)
from .articles import ArticleFile, CitationResolver, taken_over_file
from .reader import TYPES, Reader

#: For what a contract's verification holds: each of its communes, or the whole contract.
_SCOPES = ("commune", "contrat")
#: Over what an aggregate runs: the communes of an EPCI (alone, or as a contract), or the
#: arrondissements of one commune of a contract.
AGGREGATE_SCOPES = ("epci", "contrat", "arrondissements")


@attrs.frozen
class ArticleRules:
    """Every item of every article version's rule sections, in file order."""

    parametres: tuple[Parameter, ...]
    conventions: Mapping[str, Convention]
    regles: tuple[Rule, ...]
    controles: tuple[Check, ...]
    derogations: tuple[Derogation, ...]
    agregats: tuple[Aggregate, ...]
    derogations_epci: tuple[Derogation, ...]
    verifications: tuple[Verification, ...]


def load_article_rules(files: tuple[ArticleFile, ...]) -> ArticleRules:
    """Read the rule sections of each article file; a convention is defined once in the whole book."""
    citer = CitationResolver(tuple(file.version for file in files))
    parametres: list[Parameter] = []
    conventions: dict[str, Convention] = {}
    regles: list[Rule] = []
    controles: list[Check] = []
    derogations: list[Derogation] = []
    agregats: list[Aggregate] = []
    derogations_epci: list[Derogation] = []
    verifications: list[Verification] = []
    for file in files:
        article = file.version
        # A version that takes over another's rules reads them first, for itself: its validity,
        # its alinéas; each item still names the file it is written in.
        sources = [(taken_over_file(file, files), True)] if file.reprend is not None else []
        for source, taken_over in [*sources, (file, False)]:
            data, written = source.data, source.version.fichier
            parametres += _load_parameters(data.get("parametres"), article, citer, written, taken_over)
            controles += _load_checks(data.get("controles"), article, citer, written)
            items: dict[str, list[Any]] = {
                "regles": load_rules(data.get("regles"), article, citer, written),
                "derogations": _load_derogations(data.get("derogations"), article, citer, "derogations", written),
                "derogations_epci": _load_derogations(
                    data.get("derogations_epci"), article, citer, "derogations_epci", written
                ),
                "verifications": _load_verifications(data.get("verifications"), article, citer, written),
            }
            _refuse_shared_ids(written, items)
            regles += items["regles"]
            derogations += items["derogations"]
            derogations_epci += items["derogations_epci"]
            verifications += items["verifications"]
            agregats += _load_aggregates(data.get("agregats"), article, citer, written)
        for convention in _load_conventions(file.data.get("conventions"), article, citer):
            if convention.nom in conventions:
                raise RuleFileError(article.fichier, "convention déjà définie ailleurs", convention.nom)
            conventions[convention.nom] = convention
    return ArticleRules(
        tuple(parametres),
        conventions,
        tuple(regles),
        tuple(controles),
        tuple(derogations),
        tuple(agregats),
        tuple(derogations_epci),
        tuple(verifications),
    )


def _refuse_shared_ids(written: str, items: Mapping[str, list[Any]]) -> None:
    """An id names one kind of thing in a file: a trace line or a case naming it must not be
    ambiguous. (Within a section, one id may recur with successive validities: the overlap check
    refuses them when they overlap; in another version of the article it is that rule again.)"""
    seen: dict[str, str] = {}
    for section, loaded in items.items():
        for item in loaded:
            if seen.get(item.id, section) != section:
                raise RuleFileError(written, f"identifiant en double (déjà dans « {seen[item.id]} »)",
                                    f"{section}.{item.id}", item.ligne)
            seen[item.id] = section


def _load_parameters(
    raw: object, article: ArticleVersion, citer: CitationResolver, written: str, taken_over: bool = False
) -> list[Parameter]:
    """Each parameter; one taken over from an earlier version keeps its dated values, the last one
    before this version's start holding from that start."""
    parameters = []
    for key, spec in Reader(written).entries(raw, "parametres"):
        reader = Reader(written, f"parametres.{key}")
        spec = reader.mapping(spec, "paramètre", ["titre", "type", "cite", "valeurs"])
        if spec["type"] not in TYPES:
            raise reader.error(f"type inconnu « {spec['type']} »")
        values = []
        for dated in reader.sequence(spec["valeurs"], "valeurs"):
            dated = reader.mapping(dated, "valeur datée", ["depuis", "valeur"])
            since = reader.date(dated["depuis"], "depuis")
            if not article.validite.contains(since) and not (taken_over and since < article.validite.debut):
                raise reader.error(f"valeur datée du {since} hors de la validité de la version")
            values.append(DatedValue(since, reader.literal(dated["valeur"], "valeur", spec["type"])))
        if not values:
            raise reader.error("au moins une valeur datée est attendue")
        if [v.depuis for v in values] != sorted({v.depuis for v in values}):
            raise reader.error("les valeurs datées doivent être dans l'ordre chronologique, sans doublon")
        parameters.append(
            Parameter(
                nom=key,
                titre=reader.text(spec["titre"], "titre"),
                type=spec["type"],
                citations=citer.many(reader, spec["cite"], article, max(values[0].depuis, article.validite.debut)),
                valeurs=tuple(values),
                fichier=written,
                validite=article.validite,
            )
        )
    return parameters


def _load_conventions(raw: object, article: ArticleVersion, citer: CitationResolver) -> list[Convention]:
    conventions = []
    for key, spec in Reader(article.fichier).entries(raw, "conventions"):
        reader = Reader(article.fichier, f"conventions.{key}")
        spec = reader.mapping(
            spec, "convention", ["titre", "interprete", "justification", "options", "defaut"], ["justifications"]
        )
        options = reader.mapping(spec["options"], "options", [], spec["options"] or {})
        if spec["defaut"] not in options:
            raise reader.error(f"l'option par défaut « {spec['defaut']} » n'est pas parmi les options")
        # A user who picks another option reads why one may (« justification » is the default's).
        others = [str(option) for option in options if option != spec["defaut"]]
        justifications = reader.mapping(spec.get("justifications") or {}, "justifications", others)
        conventions.append(
            Convention(
                nom=key,
                titre=reader.text(spec["titre"], "titre"),
                interprete=citer.many(reader, spec["interprete"], article, article.validite.debut),
                justification=reader.text(spec["justification"], "justification"),
                options={str(k): reader.text(v, f"options.{k}") for k, v in options.items()},
                justifications={str(k): reader.text(v, f"justifications.{k}") for k, v in justifications.items()},
                defaut=spec["defaut"],
                fichier=article.fichier,
            )
        )
    return conventions


def _identified_items(raw: object, written: str, section: str, label: str) -> Iterable[tuple[Reader, Any]]:
    """Each item of a list section, with a reader whose errors name it (« règle L302-8.VII.1° »)."""
    for spec in Reader(written).sequence(raw, section):
        item_id = spec.get("id") if isinstance(spec, Mapping) else None
        yield Reader(written, f"{label} {item_id}"), spec


def load_rules(raw: object, article: ArticleVersion, citer: CitationResolver, written: str) -> list[Rule]:
    rules = []
    for reader, spec in _identified_items(raw, written, "regles", "règle"):
        spec = reader.mapping(
            spec, "règle", ["id", "titre", "cite", "alors", "explication"], ["si", "valide", "exception_de"]
        )
        validity = article.validite
        if "valide" in spec:
            bounds = reader.mapping(spec["valide"], "valide", ["du"], ["au"])
            validity = reader.period(bounds["du"], bounds.get("au"))
            if not validity.within(article.validite):
                raise reader.error("validité hors de celle de la version de l'article")
        conclusions = reader.mapping(spec["alors"], "alors", [], spec["alors"] or {})
        if not conclusions:
            raise reader.error("« alors » doit conclure au moins une valeur")
        exceptions = spec.get("exception_de") or []
        rules.append(
            Rule(
                id=reader.text(spec["id"], "id"),
                titre=reader.text(spec["titre"], "titre"),
                citations=citer.many(reader, spec["cite"], article, validity.debut),
                validite=validity,
                si=reader.expression(spec["si"], "si") if "si" in spec else None,
                alors={
                    str(name): reader.expression(formula, f"alors.{name}")
                    for name, formula in conclusions.items()
                },
                exception_de=tuple(exceptions if isinstance(exceptions, list) else [exceptions]),
                explication=reader.text(spec["explication"], "explication"),
                fichier=written,
                ligne=reader.line,
            )
        )
    return rules


def _load_checks(raw: object, article: ArticleVersion, citer: CitationResolver, written: str) -> list[Check]:
    checks = []
    for spec in Reader(written).sequence(raw, "controles"):
        reader = Reader(written, "contrôle")
        spec = reader.mapping(spec, "contrôle", ["champ", "condition", "message"], ["cite"])
        checks.append(
            Check(
                champ=reader.text(spec["champ"], "champ"),
                condition=reader.expression(spec["condition"], "condition"),
                message=reader.text(spec["message"], "message"),
                citations=citer.many(reader, spec.get("cite"), article, article.validite.debut),
                validite=article.validite,
                fichier=written,
                ligne=reader.line,
            )
        )
    return checks


def _load_derogations(
    raw: object, article: ArticleVersion, citer: CitationResolver, section: str, written: str
) -> list[Derogation]:
    derogations = []
    for reader, spec in _identified_items(raw, written, section, "dérogation"):
        spec = reader.mapping(
            spec,
            "dérogation",
            ["id", "type", "titre", "cite", "conditions", "explication_ouverte", "explication_fermee"],
            ["plancher", "periodes_restantes", "exigences", "variable_ouverte", "contrat", "compteur", "utilisee",
             "appreciation"],
        )
        counted = [key for key in ("contrat", "compteur", "utilisee") if key in spec]
        if counted and len(counted) != 3:
            raise reader.error("contrat, compteur et utilisee vont ensemble (la durée d'un aménagement par contrat)")
        day = article.validite.debut

        def condition(item: Any) -> Condition:
            return Condition(
                libelle=reader.text(item["libelle"], "libelle"),
                citations=citer.many(reader, item["cite"], article, day),
                condition=reader.expression(item["condition"], "condition"),
            )

        conditions = [
            condition(reader.mapping(raw, "condition", ["libelle", "cite", "condition"]))
            for raw in reader.sequence(spec["conditions"], "conditions")
        ]
        appreciation = None
        if "appreciation" in spec:
            item = reader.mapping(spec["appreciation"], "appreciation", ["libelle", "cite", "condition", "explication"])
            appreciation = Appreciation(condition(item), reader.text(item["explication"], "explication"))
        requirements = []
        for raw_requirement in reader.sequence(spec.get("exigences"), "exigences"):
            item = reader.mapping(raw_requirement, "exigence", ["texte", "cite"])
            requirements.append(
                Requirement(reader.text(item["texte"], "texte"), citer.many(reader, item["cite"], article, day))
            )
        derogations.append(
            Derogation(
                id=reader.text(spec["id"], "id"),
                type=reader.text(spec["type"], "type"),
                titre=reader.text(spec["titre"], "titre"),
                citations=citer.many(reader, spec["cite"], article, day),
                validite=article.validite,
                conditions=tuple(conditions),
                plancher=spec.get("plancher"),
                periodes_restantes=spec.get("periodes_restantes"),
                exigences=tuple(requirements),
                explication_ouverte=reader.text(spec["explication_ouverte"], "explication_ouverte"),
                explication_fermee=reader.text(spec["explication_fermee"], "explication_fermee"),
                fichier=written,
                variable_ouverte=spec.get("variable_ouverte"),
                ligne=reader.line,
                contrat=spec.get("contrat"),
                compteur=spec.get("compteur"),
                utilisee=reader.expression(spec["utilisee"], "utilisee") if "utilisee" in spec else None,
                appreciation=appreciation,
            )
        )
    return derogations


def _load_aggregates(raw: object, article: ArticleVersion, citer: CitationResolver, written: str) -> list[Aggregate]:
    aggregates = []
    for reader, spec in _identified_items(raw, written, "agregats", "agrégat"):
        spec = reader.mapping(spec, "agrégat", ["nom", "titre", "cite"], ["somme", "compte", "parmi", "pour"])
        if spec.get("pour", "epci") not in AGGREGATE_SCOPES:
            raise reader.error(f"pour : {' ou '.join(AGGREGATE_SCOPES)} attendu")
        operations = [key for key in ("somme", "compte") if key in spec]
        if len(operations) != 1:
            raise reader.error("un agrégat a exactement une opération : « somme » ou « compte »")
        operation = operations[0]
        aggregates.append(
            Aggregate(
                nom=reader.text(spec["nom"], "nom"),
                titre=reader.text(spec["titre"], "titre"),
                citations=citer.many(reader, spec["cite"], article, article.validite.debut),
                operation=operation,
                expression=reader.expression(spec[operation], operation),
                parmi=reader.expression(spec["parmi"], "parmi") if "parmi" in spec else None,
                validite=article.validite,
                fichier=written,
                pour=spec.get("pour", "epci"),
                ligne=reader.line,
            )
        )
    return aggregates


def _load_verifications(raw: object, article: ArticleVersion, citer: CitationResolver, written: str) -> list[Verification]:
    verifications = []
    for reader, spec in _identified_items(raw, written, "verifications", "vérification"):
        spec = reader.mapping(
            spec, "vérification", ["id", "portee", "types", "cite", "libelle", "condition", "message"],
            ["si", "sans_objet"],
        )
        if spec["portee"] not in _SCOPES:
            raise reader.error(f"portee : {' ou '.join(_SCOPES)} attendu")
        if ("si" in spec) != ("sans_objet" in spec):
            raise reader.error("si et sans_objet vont ensemble : quand la vérification s'applique, et pourquoi sinon")
        verifications.append(
            Verification(
                id=reader.text(spec["id"], "id"),
                portee=spec["portee"],
                types=tuple(str(t) for t in reader.sequence(spec["types"], "types")),
                citations=citer.many(reader, spec["cite"], article, article.validite.debut),
                libelle=reader.text(spec["libelle"], "libelle"),
                condition=reader.expression(spec["condition"], "condition"),
                message=reader.text(spec["message"], "message"),
                validite=article.validite,
                fichier=written,
                si=reader.expression(spec["si"], "si") if "si" in spec else None,
                sans_objet=reader.text(spec.get("sans_objet"), "sans_objet", optional=True),
                ligne=reader.line,
            )
        )
    return verifications
