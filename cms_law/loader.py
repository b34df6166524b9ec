"""Loading and validating the rule files of ``rules/``.

The rule files ship inside the package (as ``cms_law.rules``) and are read from there, never from
the current directory. Everything is checked at load time — unknown fields, citations to alinéas
that are not stored, overlapping validities, unparsable expressions, unknown names, cycles — and
each problem is a :class:`~cms_law.errors.RuleFileError` naming the file and the rule.
The format is documented in ``rules/README.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import attrs
import yaml

from . import expressions
from .errors import RuleFileError
from .model import (
    PROVENANCES,
    Aggregate,
    Alinea,
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

#: The value types a variable, a parameter or an input field may have.
TYPES = ("booleen", "entier", "annee", "taux", "points", "nombre", "texte", "date")
NUMBER_TYPES = ("entier", "annee", "taux", "points", "nombre")
#: The summary sentences the engine writes: a batch row's, and an EPCI member's line.
SUMMARIES = ("commune", "membre_epci")
#: What a summary text may show of a name besides its value: the rule that set it, by title or citation.
SUMMARY_VIEWS = ("motif", "citation")

_ALINEA_ID = re.compile(
    r"^(?:[IVX]+(?: bis| ter)?(?:\.(?:al\d+|\d+°)(?:\.[a-z]+)?|\.suite)?|al\d+|suite)$"
)


class _Reader:
    """Reads one YAML mapping strictly: unknown keys and missing required keys are errors."""

    def __init__(self, fichier: str, element: str | None = None) -> None:
        self.fichier = fichier
        self.element = element

    def error(self, message: str) -> RuleFileError:
        return RuleFileError(self.fichier, message, self.element)

    def mapping(
        self, data: object, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.error(f"{what} : un dictionnaire est attendu, reçu {type(data).__name__}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            raise self.error(
                f"{what} : champ(s) inconnu(s) {', '.join(unknown)}"
                f" (autorisés : {', '.join(sorted(allowed))})"
            )
        missing = [key for key in required if key not in data]
        if missing:
            raise self.error(f"{what} : champ(s) obligatoire(s) manquant(s) {', '.join(missing)}")
        return data

    def text(self, value: object, what: str, optional: bool = False) -> str:
        if value is None and optional:
            return None  # type: ignore[return-value]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{what} : un texte non vide est attendu, reçu {value!r}")
        return value.strip()

    def date(self, value: object, what: str, optional: bool = False) -> dt.date:
        if value is None and optional:
            return None  # type: ignore[return-value]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f"{what} : une date AAAA-MM-JJ est attendue, reçu {value!r}")

    def entries(self, value: object, what: str) -> Iterable[tuple[str, Any]]:
        """The items of an optional mapping section (``parametres``, ``variables``…)."""
        if value is None:
            return ()
        return [(str(key), item) for key, item in self.mapping(value, what, [], value).items()]  # type: ignore[arg-type]

    def sequence(self, value: object, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{what} : une liste est attendue, reçu {type(value).__name__}")
        return value

    def expression(self, source: object, what: str) -> expressions.Expression:
        try:
            return expressions.parse(source)  # type: ignore[arg-type]
        except expressions.ExpressionSyntaxError as error:
            raise self.error(f"{what} : expression invalide : {error}") from None

    def literal(self, value: object, what: str, kind: str) -> expressions.Value:
        """A typed literal value of a parameter or a default (``33 %``, ``2``, ``vrai``)."""
        if isinstance(value, bool):
            parsed: expressions.Value = value
        elif isinstance(value, int):
            parsed = value
        elif isinstance(value, (dt.date, str)) and kind == "date":
            return self.date(value, what)
        elif isinstance(value, str) and kind == "texte":
            return value
        elif isinstance(value, str):
            try:
                parsed = expressions.literal(value)
            except (expressions.ExpressionSyntaxError, expressions.ExpressionError) as error:
                raise self.error(f"{what} : valeur invalide {value!r} ({error})") from None
        else:
            raise self.error(f"{what} : valeur invalide {value!r} (écrire les décimaux entre guillemets)")
        expected = {"booleen": bool, "entier": int, "annee": int, "texte": str}
        if kind in expected and not (
            isinstance(parsed, expected[kind]) and (kind == "booleen") == isinstance(parsed, bool)
        ):
            raise self.error(f"{what} : une valeur de type {kind} est attendue, reçu {value!r}")
        return parsed


#: libyaml's C parser when PyYAML has it (about ten times faster: start-up reads every rule
#: file), else the pure Python one; both are the safe loader.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(resource: Traversable, name: str) -> Any:
    try:
        return yaml.load(resource.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise RuleFileError(name, f"YAML invalide : {error}") from None


def rules_root() -> Traversable:
    """The folder of rule files installed with the package."""
    return resources.files("cms_law.rules")


@functools.cache
def load_rulebook() -> RuleBook:
    """Load and validate the rule files shipped with the package (once per process)."""
    return load_rulebook_from(rules_root())


def load_rulebook_from(root: Traversable) -> RuleBook:
    """Load and validate the rule files under ``root`` (a folder laid out like ``rules/``)."""
    lois, regimes, periode = _load_laws(root)
    article_files = sorted(_article_files(root), key=lambda item: item[0])
    articles = tuple(
        _load_article_text(_load_yaml(resource, name), name, lois) for name, resource in article_files
    )
    _check_article_versions(articles)
    vocabulary = _load_vocabulary(_load_yaml(root / "vocabulaire.yaml", "vocabulaire.yaml"), "vocabulaire.yaml")
    citer = _CitationResolver(articles)
    parametres: list[Parameter] = []
    conventions: dict[str, Convention] = {}
    regles: list[Rule] = []
    controles: list[Check] = []
    derogations: list[Derogation] = []
    agregats: list[Aggregate] = []
    derogations_epci: list[Derogation] = []
    verifications: list[Verification] = []
    for (name, resource), article in zip(article_files, articles):
        data = _load_yaml(resource, name)
        parametres += _load_parameters(data.get("parametres"), article, citer)
        for convention in _load_conventions(data.get("conventions"), article, citer):
            if convention.nom in conventions:
                raise RuleFileError(name, "convention déjà définie ailleurs", convention.nom)
            conventions[convention.nom] = convention
        regles += _load_rules(data.get("regles"), article, citer)
        controles += _load_checks(data.get("controles"), article, citer)
        derogations += _load_derogations(data.get("derogations"), article, citer, "derogations")
        agregats += _load_aggregates(data.get("agregats"), article, citer)
        derogations_epci += _load_derogations(data.get("derogations_epci"), article, citer, "derogations_epci")
        verifications += _load_verifications(data.get("verifications"), article, citer)
    book = RuleBook(
        lois=lois,
        regimes=regimes,
        articles=articles,
        variables=vocabulary.variables,
        entrees=vocabulary.entrees,
        entrees_epci=vocabulary.entrees_epci,
        entrees_contrat=vocabulary.entrees_contrat,
        entrees_contrat_commune=vocabulary.entrees_contrat_commune,
        entrees_arrondissement=vocabulary.entrees_arrondissement,
        tableau_contrat=vocabulary.tableau_contrat,
        verifications=tuple(verifications),
        contexte=vocabulary.contexte,
        parametres=tuple(parametres),
        conventions=conventions,
        regles=tuple(regles),
        controles=tuple(controles),
        sorties=vocabulary.sorties,
        syntheses=vocabulary.syntheses,
        bilan=vocabulary.bilan,
        historique=vocabulary.historique,
        periode=periode,
        derogations=tuple(derogations),
        agregats=tuple(agregats),
        derogations_epci=tuple(derogations_epci),
    )
    _check_names(book, periode_expression=periode["date_reference"])
    _check_rules(book)
    return book


def _article_files(root: Traversable) -> Iterable[tuple[str, Traversable]]:
    for code in sorted((entry for entry in root.iterdir() if entry.is_dir()), key=lambda e: e.name):
        if code.name.startswith(("_", ".")):
            continue
        for article in code.iterdir():
            if not article.is_dir():
                continue
            for version in article.iterdir():
                if version.name.endswith(".yaml"):
                    yield f"{code.name}/{article.name}/{version.name}", version


# --------------------------------------------------------------------------- laws and regimes


def _load_laws(root: Traversable) -> tuple[dict[str, Law], tuple[LawRegime, ...], dict[str, Any]]:
    name = "lois.yaml"
    reader = _Reader(name)
    data = reader.mapping(_load_yaml(root / name, name), "fichier", ["lois", "regimes", "periode"])
    lois: dict[str, Law] = {}
    for law_id, law in reader.entries(data["lois"], "lois"):
        item = _Reader(name, law_id)
        law = item.mapping(law, "loi", ["titre", "titre_court", "date"], ["nom_usuel"])
        lois[law_id] = Law(
            id=law_id,
            titre=item.text(law["titre"], "titre"),
            titre_court=item.text(law["titre_court"], "titre_court"),
            date=item.date(law["date"], "date"),
            nom_usuel=law.get("nom_usuel"),
        )
    regimes = []
    for raw in reader.sequence(data["regimes"], "regimes"):
        regime = reader.mapping(raw, "régime", ["id", "titre", "debut", "fin", "loi"])
        item = _Reader(name, str(regime["id"]))
        law_id = regime["loi"]
        if law_id is not None and law_id not in lois:
            raise item.error(f"loi inconnue « {law_id} »")
        regimes.append(
            LawRegime(
                id=item.text(regime["id"], "id"),
                titre=item.text(regime["titre"], "titre"),
                validite=_period(item, regime["debut"], regime["fin"]),
                loi=lois.get(law_id) if law_id else None,
            )
        )
    for first, second in _pairs(regimes):
        if first.validite.overlaps(second.validite):
            raise RuleFileError(name, f"les régimes {first.id} et {second.id} se chevauchent")
    periode = dict(
        reader.mapping(
            data["periode"],
            "periode",
            ["defaut", "justification_defaut", "date_reference", "periode_de_la_date", "premiere_annee"],
        )
    )
    periode["date_reference"] = reader.expression(periode["date_reference"], "periode.date_reference")
    bounds = reader.sequence(periode["periode_de_la_date"], "periode.periode_de_la_date")
    if len(bounds) != 2:
        raise reader.error("periode.periode_de_la_date : deux noms attendus, l'année de début et celle de fin")
    periode["periode_de_la_date"] = tuple(reader.text(name, "periode.periode_de_la_date") for name in bounds)
    periode["premiere_annee"] = reader.text(periode["premiere_annee"], "periode.premiere_annee")
    return lois, tuple(regimes), periode


def _pairs(items: list[Any]) -> Iterable[tuple[Any, Any]]:
    for index, first in enumerate(items):
        for second in items[index + 1 :]:
            yield first, second


def _period(reader: _Reader, debut: object, fin: object) -> Period:
    period = Period(reader.date(debut, "debut"), reader.date(fin, "fin", optional=True))
    if period.fin is not None and period.fin < period.debut:
        raise reader.error(f"validité vide : fin {period.fin} avant début {period.debut}")
    return period


# --------------------------------------------------------------------------- article texts


def _load_article_text(data: Any, name: str, lois: Mapping[str, Law]) -> ArticleVersion:
    reader = _Reader(name)
    data = reader.mapping(
        data,
        "fichier",
        ["article", "code", "version", "alineas"],
        ["sources", "parametres", "conventions", "regles", "controles", "derogations", "agregats", "derogations_epci",
         "verifications"],
    )
    version = reader.mapping(
        data["version"], "version", ["debut", "fin", "loi"], ["debut_precision", "legifrance", "note"]
    )
    law_id = version["loi"]
    if law_id is not None and law_id not in lois:
        raise reader.error(f"version.loi : loi inconnue « {law_id} » (voir lois.yaml)")
    precision = version.get("debut_precision", "certaine")
    if precision not in ("certaine", "inferee"):
        raise reader.error("version.debut_precision : « certaine » ou « inferee » attendu")
    sources: dict[str, str] = {}
    for raw in reader.sequence(data.get("sources"), "sources"):
        source = reader.mapping(raw, "source", ["id", "description"])
        sources[reader.text(source["id"], "source.id")] = reader.text(
            source["description"], "source.description"
        )
    alineas = []
    for raw in reader.sequence(data["alineas"], "alineas"):
        alineas.append(_load_alinea(raw, name, sources))
    seen: set[str] = set()
    for alinea in alineas:
        if alinea.id in seen:
            raise RuleFileError(name, "alinéa défini deux fois", alinea.id)
        seen.add(alinea.id)
    return ArticleVersion(
        article=reader.text(data["article"], "article"),
        code=reader.text(data["code"], "code"),
        validite=_period(reader, version["debut"], version["fin"]),
        debut_precision=precision,
        loi=lois.get(law_id) if law_id else None,
        legifrance=version.get("legifrance"),
        note=version.get("note"),
        sources=sources,
        alineas=tuple(alineas),
        fichier=name,
    )


def _load_alinea(raw: object, name: str, sources: Mapping[str, str]) -> Alinea:
    reader = _Reader(name, raw.get("id") if isinstance(raw, Mapping) else None)
    data = reader.mapping(
        raw,
        "alinéa",
        ["id", "section", "provenance"],
        ["alinea", "item", "source", "complet", "texte", "note"],
    )
    alinea_id = reader.text(data["id"], "id")
    if not _ALINEA_ID.match(alinea_id):
        raise reader.error(f"identifiant d'alinéa invalide « {alinea_id} » (ex. : VII.al1, VII.1°, VIII)")
    provenance = data["provenance"]
    if provenance not in PROVENANCES:
        raise reader.error(f"provenance inconnue « {provenance} » (attendu : {', '.join(PROVENANCES)})")
    texte = data.get("texte")
    if provenance == "non_disponible" and texte:
        raise reader.error("un alinéa non disponible ne peut pas avoir de texte")
    if provenance != "non_disponible":
        texte = reader.text(texte, "texte")
    source = data.get("source")
    if source is not None and source not in sources:
        raise reader.error(f"source inconnue « {source} »")
    number = data.get("alinea")
    if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 1):
        raise reader.error(f"alinea : un entier positif est attendu, reçu {number!r}")
    return Alinea(
        id=alinea_id,
        section=str(data["section"]) if data["section"] is not None else None,
        alinea=number,
        item=data.get("item"),
        provenance=provenance,
        source=source,
        complet=bool(data.get("complet", True)),
        texte=texte,
        note=data.get("note"),
    )


def _check_article_versions(articles: tuple[ArticleVersion, ...]) -> None:
    for first, second in _pairs(list(articles)):
        if first.article == second.article and first.validite.overlaps(second.validite):
            raise RuleFileError(
                second.fichier, f"la validité chevauche celle de {first.fichier} ({first.article})"
            )


class _CitationResolver:
    """Turns a rule file's reference (``VII.1°``, or ``{article, alinea}``) into a Citation."""

    def __init__(self, articles: tuple[ArticleVersion, ...]) -> None:
        self.articles = articles

    def __call__(self, reader: _Reader, reference: object, article: ArticleVersion, day: dt.date) -> Citation:
        if isinstance(reference, str):
            target, alinea_id = article, reference
        elif isinstance(reference, Mapping):
            data = reader.mapping(reference, "citation", ["article", "alinea"])
            target_name, alinea_id = data["article"], data["alinea"]
            found = [
                version
                for version in self.articles
                if version.article == target_name and version.validite.contains(day)
            ]
            if not found:
                raise reader.error(f"citation : aucune version de l'article {target_name} en vigueur le {day}")
            target = found[0]
        else:
            raise reader.error(f"citation invalide {reference!r}")
        alinea = target.alinea(str(alinea_id))
        if alinea is None:
            raise reader.error(
                f"citation : l'alinéa « {alinea_id} » n'est pas enregistré dans {target.fichier}"
            )
        return Citation(target, alinea)

    def many(
        self, reader: _Reader, references: object, article: ArticleVersion, day: dt.date
    ) -> tuple[Citation, ...]:
        if references is None:
            return ()
        if not isinstance(references, list):
            references = [references]
        return tuple(self(reader, reference, article, day) for reference in references)


# --------------------------------------------------------------------------- vocabulary


@attrs.frozen
class _Vocabulary:
    variables: dict[str, Variable]
    entrees: tuple[InputField, ...]
    entrees_epci: tuple[InputField, ...]
    entrees_contrat: tuple[InputField, ...]
    entrees_contrat_commune: tuple[InputField, ...]
    entrees_arrondissement: tuple[InputField, ...]
    tableau_contrat: tuple[TableColumn, ...]
    contexte: dict[str, Variable]
    sorties: tuple[Any, ...]
    syntheses: dict[str, tuple[Fragment, ...]]
    bilan: tuple[Total, ...]
    historique: HistoryLayout


def _load_vocabulary(data: Any, name: str) -> _Vocabulary:
    reader = _Reader(name)
    data = reader.mapping(
        data,
        "fichier",
        ["entrees", "contexte", "variables", "sorties", "syntheses"],
        ["epci", "contrat", "contrat_commune", "contrat_arrondissement", "tableau_contrat"],
    )

    def variable(key: str, raw: object, table: str) -> Variable:
        item = _Reader(name, f"{table}.{key}")
        spec = item.mapping(raw, "variable", ["type", "libelle"], ["description"])
        if spec["type"] not in TYPES:
            raise item.error(f"type inconnu « {spec['type']} » (attendu : {', '.join(TYPES)})")
        return Variable(key, spec["type"], item.text(spec["libelle"], "libelle"), spec.get("description"))

    variables = {key: variable(key, raw, "variables") for key, raw in reader.entries(data["variables"], "variables")}
    contexte = {key: variable(key, raw, "contexte") for key, raw in reader.entries(data["contexte"], "contexte")}
    entrees = _input_fields(reader, data["entrees"], "entrees")
    entrees_epci = _input_fields(reader, data.get("epci"), "epci")
    entrees_contrat = _input_fields(reader, data.get("contrat"), "contrat")
    entrees_contrat_commune = _input_fields(reader, data.get("contrat_commune"), "contrat_commune")
    entrees_arrondissement = _input_fields(reader, data.get("contrat_arrondissement"), "contrat_arrondissement")
    own_fields = (*entrees, *entrees_contrat, *entrees_contrat_commune, *entrees_arrondissement)
    names = [*variables, *contexte, *(field.variable for field in own_fields)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise reader.error(f"nom(s) défini(s) plusieurs fois : {', '.join(duplicates)}")
    for field in own_fields:
        variables[field.variable] = Variable(field.variable, field.type, field.libelle, field.description)
    commune_inputs = {field.variable: field for field in entrees}
    for field in entrees_epci:
        # An EPCI field either sets the same-named input of each of its communes (same type), or
        # is the EPCI's own (its name).
        if field.variable in commune_inputs and commune_inputs[field.variable].type != field.type:
            raise reader.error(f"epci.{field.cle} : type différent de l'entrée {field.variable} des communes")
        variables.setdefault(field.variable, Variable(field.variable, field.type, field.libelle, field.description))
    columns = []
    for raw in reader.sequence(data.get("tableau_contrat"), "tableau_contrat"):
        spec = reader.mapping(raw, "colonne du tableau", ["cle", "libelle", "valeur", "total"])
        total = None if spec["total"] == "somme" else reader.expression(spec["total"], "total")
        columns.append(
            TableColumn(
                cle=reader.text(spec["cle"], "cle"),
                libelle=reader.text(spec["libelle"], "libelle"),
                valeur=reader.expression(spec["valeur"], "valeur"),
                total=total,
            )
        )
    return _Vocabulary(
        variables,
        entrees,
        entrees_epci,
        entrees_contrat,
        entrees_contrat_commune,
        entrees_arrondissement,
        tuple(columns),
        contexte,
        tuple(reader.sequence(data["sorties"], "sorties")),
        *_load_summaries(_Reader(name, "syntheses"), data["syntheses"]),
    )


def _load_summaries(
    reader: _Reader, raw: object
) -> tuple[dict[str, tuple[Fragment, ...]], tuple[Total, ...], HistoryLayout]:
    """The summary sentences (one for each of SUMMARIES), the batch's totals, the history's layout."""
    data = reader.mapping(raw, "syntheses", [*SUMMARIES, "bilan", "historique"])
    sentences = {use: _sentence(reader, data[use], use) for use in SUMMARIES}
    totals = []
    for item in reader.sequence(data["bilan"], "bilan"):
        spec = reader.mapping(item, "total du bilan", ["cle", "libelle"], ["compte", "somme", "unite"])
        if ("compte" in spec) == ("somme" in spec):
            raise reader.error(f"bilan.{spec['cle']} : donner « compte » (une condition) ou « somme » (un nom)")
        totals.append(
            Total(
                cle=reader.text(spec["cle"], "cle"),
                libelle=reader.text(spec["libelle"], "libelle"),
                compte=reader.expression(spec["compte"], "compte") if "compte" in spec else None,
                somme=reader.text(spec["somme"], "somme") if "somme" in spec else None,
                unite=reader.text(spec["unite"], "unite") if "unite" in spec else None,
            )
        )
    history = reader.mapping(data["historique"], "historique", ["titre", "colonnes", "tableau", "graphique"])
    chart = reader.mapping(history["graphique"], "historique.graphique", ["titre", "valeur", "etiquette"])
    columns = []
    for item in reader.sequence(history["tableau"], "historique.tableau"):
        spec = reader.mapping(item, "colonne de l'historique", ["libelle", "phrase"])
        label = reader.text(spec["libelle"], "libelle")
        columns.append(HistoryColumn(label, _sentence(reader, spec["phrase"], f"historique.tableau.{label}")))
    layout = HistoryLayout(
        titre=reader.text(history["titre"], "historique.titre"),
        colonnes=tuple(reader.text(c, "historique.colonnes") for c in reader.sequence(history["colonnes"], "colonnes")),
        tableau=tuple(columns),
        titre_graphique=reader.text(chart["titre"], "historique.graphique.titre"),
        valeur_graphique=reader.text(chart["valeur"], "historique.graphique.valeur"),
        etiquette=_sentence(reader, chart["etiquette"], "historique.graphique.etiquette"),
    )
    return sentences, tuple(totals), layout


def _sentence(reader: _Reader, raw: object, what: str) -> tuple[Fragment, ...]:
    """A summary sentence: fragments ``{texte, si}``, each kept when its condition holds."""
    fragments = []
    for item in reader.sequence(raw, what):
        spec = reader.mapping(item, f"morceau de {what}", ["texte"], ["si"])
        condition = reader.expression(spec["si"], f"{what}.si") if "si" in spec else None
        fragments.append(Fragment(condition, reader.text(spec["texte"], f"{what}.texte")))
    return tuple(fragments)


def _input_fields(reader: _Reader, raw: object, section: str) -> tuple[InputField, ...]:
    fields = []
    for key, spec_raw in reader.entries(raw, section):
        item = _Reader(reader.fichier, f"{section}.{key}")
        spec = item.mapping(
            spec_raw,
            "entrée",
            ["type", "libelle", "description", "requis"],
            ["variable", "defaut", "min", "max", "motif"],
        )
        if spec["type"] not in TYPES:
            raise item.error(f"type inconnu « {spec['type']} »")
        kind = spec["type"]
        pattern = spec.get("motif")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as error:
                raise item.error(f"motif : expression régulière invalide ({error})") from None
        fields.append(
            InputField(
                cle=key,
                variable=spec.get("variable", key),
                type=kind,
                libelle=item.text(spec["libelle"], "libelle"),
                description=item.text(spec["description"], "description"),
                requis=bool(spec["requis"]),
                defaut=item.literal(spec["defaut"], "defaut", kind) if "defaut" in spec else None,
                minimum=item.literal(spec["min"], "min", kind) if "min" in spec else None,
                maximum=item.literal(spec["max"], "max", kind) if "max" in spec else None,
                motif=pattern,
            )
        )
    return tuple(fields)


# --------------------------------------------------------------------------- parameters, conventions


def _load_parameters(raw: object, article: ArticleVersion, citer: _CitationResolver) -> list[Parameter]:
    parameters = []
    for key, spec in _Reader(article.fichier).entries(raw, "parametres"):
        reader = _Reader(article.fichier, f"parametres.{key}")
        spec = reader.mapping(spec, "paramètre", ["titre", "type", "cite", "valeurs"])
        if spec["type"] not in TYPES:
            raise reader.error(f"type inconnu « {spec['type']} »")
        values = []
        for dated in reader.sequence(spec["valeurs"], "valeurs"):
            dated = reader.mapping(dated, "valeur datée", ["depuis", "valeur"])
            since = reader.date(dated["depuis"], "depuis")
            if not article.validite.contains(since):
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
                citations=citer.many(reader, spec["cite"], article, values[0].depuis),
                valeurs=tuple(values),
                fichier=article.fichier,
                validite=article.validite,
            )
        )
    return parameters


def _load_conventions(raw: object, article: ArticleVersion, citer: _CitationResolver) -> list[Convention]:
    conventions = []
    for key, spec in _Reader(article.fichier).entries(raw, "conventions"):
        reader = _Reader(article.fichier, f"conventions.{key}")
        spec = reader.mapping(spec, "convention", ["titre", "interprete", "justification", "options", "defaut"])
        options = reader.mapping(spec["options"], "options", [], spec["options"] or {})
        if spec["defaut"] not in options:
            raise reader.error(f"l'option par défaut « {spec['defaut']} » n'est pas parmi les options")
        conventions.append(
            Convention(
                nom=key,
                titre=reader.text(spec["titre"], "titre"),
                interprete=citer.many(reader, spec["interprete"], article, article.validite.debut),
                justification=reader.text(spec["justification"], "justification"),
                options={str(k): reader.text(v, f"options.{k}") for k, v in options.items()},
                defaut=spec["defaut"],
                fichier=article.fichier,
            )
        )
    return conventions


# --------------------------------------------------------------------------- rules and checks


def _identified_items(raw: object, article: ArticleVersion, section: str, label: str) -> Iterable[tuple[_Reader, Any]]:
    """Each item of a list section, with a reader whose errors name it (« règle L302-8.VII.1° »)."""
    for spec in _Reader(article.fichier).sequence(raw, section):
        item_id = spec.get("id") if isinstance(spec, Mapping) else None
        yield _Reader(article.fichier, f"{label} {item_id}"), spec


def _load_rules(raw: object, article: ArticleVersion, citer: _CitationResolver) -> list[Rule]:
    rules = []
    for reader, spec in _identified_items(raw, article, "regles", "règle"):
        spec = reader.mapping(
            spec, "règle", ["id", "titre", "cite", "alors", "explication"], ["si", "valide", "exception_de"]
        )
        validity = article.validite
        if "valide" in spec:
            bounds = reader.mapping(spec["valide"], "valide", ["du"], ["au"])
            validity = _period(reader, bounds["du"], bounds.get("au"))
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
                fichier=article.fichier,
            )
        )
    return rules


def _load_checks(raw: object, article: ArticleVersion, citer: _CitationResolver) -> list[Check]:
    checks = []
    for spec in _Reader(article.fichier).sequence(raw, "controles"):
        reader = _Reader(article.fichier, "contrôle")
        spec = reader.mapping(spec, "contrôle", ["champ", "condition", "message"], ["cite"])
        checks.append(
            Check(
                champ=reader.text(spec["champ"], "champ"),
                condition=reader.expression(spec["condition"], "condition"),
                message=reader.text(spec["message"], "message"),
                citations=citer.many(reader, spec.get("cite"), article, article.validite.debut),
                validite=article.validite,
                fichier=article.fichier,
            )
        )
    return checks


def _load_derogations(
    raw: object, article: ArticleVersion, citer: _CitationResolver, section: str
) -> list[Derogation]:
    derogations = []
    for reader, spec in _identified_items(raw, article, section, "dérogation"):
        spec = reader.mapping(
            spec,
            "dérogation",
            ["id", "type", "titre", "cite", "conditions", "explication_ouverte", "explication_fermee"],
            ["plancher", "periodes_restantes", "exigences", "variable_ouverte"],
        )
        day = article.validite.debut
        conditions = []
        for raw_condition in reader.sequence(spec["conditions"], "conditions"):
            item = reader.mapping(raw_condition, "condition", ["libelle", "cite", "condition"])
            conditions.append(
                Condition(
                    libelle=reader.text(item["libelle"], "libelle"),
                    citations=citer.many(reader, item["cite"], article, day),
                    condition=reader.expression(item["condition"], "condition"),
                )
            )
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
                fichier=article.fichier,
                variable_ouverte=spec.get("variable_ouverte"),
            )
        )
    return derogations


def _load_aggregates(raw: object, article: ArticleVersion, citer: _CitationResolver) -> list[Aggregate]:
    aggregates = []
    for reader, spec in _identified_items(raw, article, "agregats", "agrégat"):
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
                fichier=article.fichier,
                pour=spec.get("pour", "epci"),
            )
        )
    return aggregates


_SCOPES = ("commune", "contrat")
#: Over what an aggregate runs: the communes of an EPCI (alone, or as a contract), or the
#: arrondissements of one commune of a contract.
AGGREGATE_SCOPES = ("epci", "contrat", "arrondissements")


def _load_verifications(raw: object, article: ArticleVersion, citer: _CitationResolver) -> list[Verification]:
    verifications = []
    for reader, spec in _identified_items(raw, article, "verifications", "vérification"):
        spec = reader.mapping(spec, "vérification", ["id", "portee", "types", "cite", "condition", "message"])
        if spec["portee"] not in _SCOPES:
            raise reader.error(f"portee : {' ou '.join(_SCOPES)} attendu")
        verifications.append(
            Verification(
                id=reader.text(spec["id"], "id"),
                portee=spec["portee"],
                types=tuple(str(t) for t in reader.sequence(spec["types"], "types")),
                citations=citer.many(reader, spec["cite"], article, article.validite.debut),
                condition=reader.expression(spec["condition"], "condition"),
                message=reader.text(spec["message"], "message"),
                validite=article.validite,
                fichier=article.fichier,
            )
        )
    return verifications


def template_names(template: str) -> set[str]:
    """The names a French explanation template refers to (``{taux_cible}``)."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def _check_names(book: RuleBook, periode_expression: expressions.Expression) -> None:
    def known(name: str) -> bool:
        return book.type_of(name) is not None

    def require(names: Iterable[str], fail: Callable[[str], RuleFileError]) -> None:
        for name in sorted(names):
            if not known(name):
                raise fail(f"nom inconnu « {name} » (ni variable, ni paramètre, ni convention)")

    parameter_names = [p.nom for p in book.parametres]
    # A name may be set again by another version of an article (the 20 % target of 2000, the 25 %
    # of 2013), as long as one version at most gives it on any day, with the same type.
    clashes = {n for n in parameter_names if n in book.variables}
    clashes |= {
        first.nom
        for first, second in _pairs(list(book.parametres))
        if first.nom == second.nom and (first.validite.overlaps(second.validite) or first.type != second.type)
    }
    clashes |= {n for n in book.conventions if n in book.variables or n in parameter_names}
    if clashes:
        raise RuleFileError("rules", f"nom(s) définis plusieurs fois : {', '.join(sorted(clashes))}")
    require(periode_expression.names, lambda m: RuleFileError("lois.yaml", m, "periode.date_reference"))
    for name in book.periode["periode_de_la_date"]:
        if name not in book.variables:
            raise RuleFileError("lois.yaml", f"« {name} » n'est pas une variable du vocabulaire", "periode.periode_de_la_date")
    if book.parameter(book.periode["premiere_annee"]) is None:
        raise RuleFileError("lois.yaml", f"« {book.periode['premiere_annee']} » n'est pas un paramètre", "periode.premiere_annee")
    for rule in book.regles:
        fail = functools.partial(RuleFileError, rule.fichier, element=f"règle {rule.id}")
        require(rule.reads, fail)
        require(template_names(rule.explication), fail)
        inputs = {field.variable for field in book.entrees}
        for name in rule.alors:
            if name not in book.variables or name in inputs:
                raise fail(f"« alors » conclut « {name} », qui n'est pas une variable déclarée dans vocabulaire.yaml")
    for verification in book.verifications:
        fail = functools.partial(RuleFileError, verification.fichier, element=f"vérification {verification.id}")
        require(verification.condition.names | template_names(verification.message), fail)
    for column in book.tableau_contrat:
        fail = functools.partial(RuleFileError, "vocabulaire.yaml", element=f"tableau_contrat.{column.cle}")
        require(column.valeur.names, fail)
        columns = {c.cle for c in book.tableau_contrat}
        if column.total is not None and not column.total.names <= columns:
            raise fail(f"le total ne peut lire que des colonnes : {', '.join(sorted(column.total.names - columns))}")
    for aggregate in book.agregats:
        fail = functools.partial(RuleFileError, aggregate.fichier, element=f"agrégat {aggregate.nom}")
        require(aggregate.expression.names | (aggregate.parmi.names if aggregate.parmi else set()), fail)
        if aggregate.nom not in book.variables:
            raise fail(f"« {aggregate.nom} » n'est pas une variable déclarée dans vocabulaire.yaml")
    for derogation in (*book.derogations, *book.derogations_epci):
        fail = functools.partial(RuleFileError, derogation.fichier, element=f"dérogation {derogation.id}")
        if derogation.variable_ouverte is not None and derogation.variable_ouverte not in book.variables:
            raise fail(f"« {derogation.variable_ouverte} » n'est pas une variable déclarée dans vocabulaire.yaml")
        for condition in derogation.conditions:
            require(condition.condition.names, fail)
        require(template_names(derogation.explication_ouverte), fail)
        require(template_names(derogation.explication_fermee), fail)
        for shown in (derogation.plancher, derogation.periodes_restantes):
            if shown is not None and shown not in book.variables:
                raise fail(f"« {shown} » n'est pas une variable déclarée dans vocabulaire.yaml")
    for check in book.controles:
        fail = functools.partial(RuleFileError, check.fichier, element=f"contrôle {check.champ}")
        require(check.condition.names, fail)
        require(template_names(check.message), fail)
    _check_summaries(book, require)


def _check_summaries(book: RuleBook, require: Callable[[Iterable[str], Callable[[str], RuleFileError]], None]) -> None:
    """A summary reads only known names; its texts, only known names and their views (SUMMARY_VIEWS)."""

    def check_sentence(fragments: Iterable[Fragment], where: str) -> None:
        fail = functools.partial(RuleFileError, "vocabulaire.yaml", element=f"syntheses.{where}")
        for fragment in fragments:
            names = set(fragment.si.names) if fragment.si else set()
            for field in template_names(fragment.texte):
                name, _, view = field.partition(".")
                if view and view not in SUMMARY_VIEWS:
                    raise fail(f"« {field} » : après le point, attendu {' ou '.join(SUMMARY_VIEWS)}")
                names.add(name)
            require(names, fail)

    for use, fragments in book.syntheses.items():
        check_sentence(fragments, use)
    for total in book.bilan:
        fail = functools.partial(RuleFileError, "vocabulaire.yaml", element=f"syntheses.bilan.{total.cle}")
        if total.compte is not None:
            require(total.compte.names, fail)
        elif book.type_of(total.somme or "") not in NUMBER_TYPES:
            raise fail(f"« {total.somme} » n'est pas une grandeur numérique connue")
    history = book.historique
    assert history is not None, "the loader always reads syntheses.historique"
    for column in history.tableau:
        check_sentence(column.phrase, f"historique.tableau.{column.libelle}")
    check_sentence(history.etiquette, "historique.graphique.etiquette")
    fail = functools.partial(RuleFileError, "vocabulaire.yaml", element="syntheses.historique")
    outputs = output_keys(book)
    unknown = [column for column in history.colonnes if column not in outputs]
    if unknown:
        raise fail(f"colonne(s) hors des sorties : {', '.join(unknown)} (sorties : {', '.join(outputs)})")
    if book.type_of(history.valeur_graphique) not in NUMBER_TYPES:
        raise fail(f"graphique : « {history.valeur_graphique} » n'est pas une grandeur numérique connue")


def output_keys(book: RuleBook) -> list[str]:
    """The keys ``sorties`` gives the JSON result: names, group keys and citation keys."""
    return [entry if isinstance(entry, str) else next(iter(entry)) for entry in book.sorties]


def _check_rules(book: RuleBook) -> None:
    for first, second in _pairs(list(book.regles)):
        if first.id == second.id and first.validite.overlaps(second.validite):
            raise RuleFileError(
                second.fichier,
                f"la validité chevauche celle de la même règle dans {first.fichier}",
                f"règle {second.id}",
            )
    ids = {rule.id for rule in book.regles}
    for rule in book.regles:
        for base in rule.exception_de:
            if base not in ids:
                raise RuleFileError(rule.fichier, f"exception_de : règle inconnue « {base} »", f"règle {rule.id}")
            base_rule = book.rule(base)
            if base_rule is not None and not set(base_rule.alors) & set(rule.alors):
                raise RuleFileError(
                    rule.fichier,
                    f"exception_de : « {base} » ne conclut aucune des valeurs de cette règle",
                    f"règle {rule.id}",
                )
    for day in sorted({rule.validite.debut for rule in book.regles}):
        _check_acyclic(book.rules_at(day), day)


def _check_acyclic(rules: tuple[Rule, ...], day: dt.date) -> None:
    producers: dict[str, list[Rule]] = {}
    for rule in rules:
        for name in rule.alors:
            producers.setdefault(name, []).append(rule)
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " → ".join([*path[path.index(name) :], name])
            rule = producers[name][0]
            raise RuleFileError(rule.fichier, f"dépendance circulaire au {day} : {cycle}", f"règle {rule.id}")
        state[name] = 1
        for rule in producers.get(name, []):
            for read in rule.reads:
                visit(read, [*path, name])
        state[name] = 2

    for name in producers:
        visit(name, [])
