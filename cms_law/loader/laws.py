"""Step 1: ``lois.yaml`` — the amending laws, the regimes (the law as a whole between two dates) and
how a triennial period is read (its default, its reference day, the names of a date's period).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import RuleFileError
from ..model import Law, LawRegime
from .reader import Reader, load_yaml, pairs

if TYPE_CHECKING:  # annotations only (see cms_law.loader.rules_root)
    from importlib.resources.abc import Traversable

FILE = "lois.yaml"


@attrs.frozen
class Laws:
    """What ``lois.yaml`` holds: the laws by id, the regimes in order, the reading of periods."""

    lois: Mapping[str, Law]
    regimes: tuple[LawRegime, ...]
    periode: Mapping[str, Any]


def load_laws(root: Traversable, files: dict[str, bytes] | None = None) -> Laws:
    """Read and check ``lois.yaml``: known laws only, regimes that do not overlap."""
    name = FILE
    reader = Reader(name)
    data = reader.mapping(load_yaml(root / name, name, files), "fichier", ["lois", "regimes", "periode"])
    lois: dict[str, Law] = {}
    for law_id, law in reader.entries(data["lois"], "lois"):
        item = Reader(name, law_id)
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
        item = Reader(name, str(regime["id"]))
        law_id = regime["loi"]
        if law_id is not None and law_id not in lois:
            raise item.error(f"loi inconnue « {law_id} »")
        regimes.append(
            LawRegime(
                id=item.text(regime["id"], "id"),
                titre=item.text(regime["titre"], "titre"),
                validite=item.period(regime["debut"], regime["fin"]),
                loi=lois.get(law_id) if law_id else None,
            )
        )
    for first, second in pairs(regimes):
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
    return Laws(lois, tuple(regimes), periode)
