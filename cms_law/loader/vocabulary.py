"""Step 3: ``vocabulaire.yaml`` — the names the rules read and conclude, the fields of each kind of
input file, the outputs, and the summaries (``syntheses``: presentation written as data).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from ..model import Fragment, HistoryColumn, HistoryLayout, InputField, TableColumn, Total, Variable
from .patterns import PatternError, check_pattern
from .reader import NUMBER_TYPES, TYPES, Reader, load_yaml

if TYPE_CHECKING:  # annotations only (see cms_law.loader.rules_root)
    from importlib.resources.abc import Traversable

FILE = "vocabulaire.yaml"
#: The types of input field that must declare ``min`` and ``max``.
BOUNDED_TYPES = (*NUMBER_TYPES, "date")

#: The summary sentences the engine writes: a batch row's, and an EPCI member's line.
SUMMARIES = ("commune", "membre_epci")


@attrs.frozen
class Vocabulary:
    """What ``vocabulaire.yaml`` declares, checked, as the rule book holds it."""

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


def load_vocabulary(root: Traversable, files: dict[str, bytes] | None = None) -> Vocabulary:
    """Read and check ``vocabulaire.yaml``: known types, each name defined once."""
    name = FILE
    reader = Reader(name)
    data = reader.mapping(
        load_yaml(root / name, name, files),
        "fichier",
        ["entrees", "contexte", "variables", "sorties", "syntheses"],
        ["epci", "contrat", "contrat_commune", "contrat_arrondissement", "tableau_contrat"],
    )

    def variable(key: str, raw: object, table: str) -> Variable:
        item = Reader(name, f"{table}.{key}")
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
        spec = reader.mapping(raw, "colonne du tableau", ["cle", "libelle", "valeur", "total"], ["type"])
        total = None if spec["total"] == "somme" else reader.expression(spec["total"], "total")
        if spec.get("type") is not None and spec["type"] not in TYPES:
            raise reader.error(f"tableau_contrat.{spec['cle']} : type inconnu « {spec['type']} »")
        columns.append(
            TableColumn(
                cle=reader.text(spec["cle"], "cle"),
                libelle=reader.text(spec["libelle"], "libelle"),
                valeur=reader.expression(spec["valeur"], "valeur"),
                total=total,
                type=spec.get("type"),
            )
        )
    return Vocabulary(
        variables,
        entrees,
        entrees_epci,
        entrees_contrat,
        entrees_contrat_commune,
        entrees_arrondissement,
        tuple(columns),
        contexte,
        tuple(reader.sequence(data["sorties"], "sorties")),
        *_load_summaries(Reader(name, "syntheses"), data["syntheses"]),
    )


def _load_summaries(
    reader: Reader, raw: object
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


def _sentence(reader: Reader, raw: object, what: str) -> tuple[Fragment, ...]:
    """A summary sentence: fragments ``{texte, si}``, each kept when its condition holds."""
    fragments = []
    for item in reader.sequence(raw, what):
        spec = reader.mapping(item, f"morceau de {what}", ["texte"], ["si"])
        condition = reader.expression(spec["si"], f"{what}.si") if "si" in spec else None
        # A fragment's spaces join it to its neighbours (« manquants ; objectif… »): never strip them.
        fragments.append(Fragment(condition, reader.text(spec["texte"], f"{what}.texte", strip=False)))
    return tuple(fragments)


def _value_labels(reader: Reader, raw: object, pattern: str | None) -> dict[str, str]:
    """The French label of each value of a text field; every value must be one the field accepts."""
    labels = {str(value): reader.text(label, f"valeurs.{value}") for value, label in reader.entries(raw, "valeurs")}
    for value in labels:
        if pattern is None or not re.fullmatch(pattern, value):
            raise reader.error(f"valeurs.{value} : une valeur que le motif du champ accepte est attendue")
    return labels


def _input_fields(reader: Reader, raw: object, section: str) -> tuple[InputField, ...]:
    fields = []
    for key, spec_raw in reader.entries(raw, section):
        item = Reader(reader.fichier, f"{section}.{key}")
        spec = item.mapping(
            spec_raw,
            "entrée",
            ["type", "libelle", "description", "requis"],
            ["variable", "defaut", "min", "max", "motif", "valeurs"],
        )
        if spec["type"] not in TYPES:
            raise item.error(f"type inconnu « {spec['type']} »")
        kind = spec["type"]
        if kind in BOUNDED_TYPES and not {"min", "max"} <= set(spec):
            # What a user sends is bounded where it is read: a count, a rate or a date out of
            # any sensible range is refused naming its field, before it reaches a computation.
            raise item.error(f"un champ de type {kind} déclare son intervalle : « min » et « max » sont obligatoires")
        pattern = spec.get("motif")
        if pattern is not None:
            try:
                check_pattern(pattern)
            except PatternError as error:
                raise item.error(f"motif refusé : {error}", "motif") from None
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
                valeurs=_value_labels(item, spec.get("valeurs"), pattern),
            )
        )
    return tuple(fields)
