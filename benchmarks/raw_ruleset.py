"""The 3DS triennial objective as a raw durable_rules ruleset: the engine's own price.

The benchmark's reference for the batch path (issue « an explained evaluation at close to the
engine's own price »): the same arithmetic as :mod:`baseline_3ds`, on the same communes, written
as a durable_rules user would write it with the library's own Python host (``engine.Host``, the
one cms-law vendors, rulesets defined in the engine's JSON form) — one
session per commune, one rule per step of the computation, each step's fact matched by the C
engine and its action computing exactly with fractions, as cms-law does — but without what
cms-law adds: no rule files, no citations, no versions of the law, no input checks, no
explanation, no output. Like :mod:`baseline_3ds`, it writes the law into code and exists only to
be timed; the benchmark checks that it agrees with :func:`baseline_3ds.objectif_3ds` on every
commune.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from fractions import Fraction
from typing import Any

from baseline_3ds import FIRST_PERIOD, PERIOD_LENGTH

from cms_law._vendor.durable_rules import engine

NAME = "sru_3ds_brut"
#: Each session's exact values, kept in Python as cms-law does: the engine only takes doubles.
_VALUES: dict[str, dict[str, Any]] = {}
_SIDS = itertools.count(1)


def assujettissement(c: Any) -> None:
    values = _VALUES[c.s.sid]
    commune = values["commune"]
    taux_cible = commune.get("taux_cible")
    if taux_cible is None:
        reduit = commune.get("territoire_taux_reduit") and not commune.get("territoire_hors_liste")
        taux_cible = Fraction(20, 100) if reduit else Fraction(25, 100)
    seuil = 1500 if commune["unite_urbaine_paris"] else 3500
    taux = Fraction(commune["logements_sociaux"], commune["residences_principales"])
    soumise = commune["population"] >= seuil and commune["agglomeration_ou_epci_eligible"] and taux < taux_cible
    values.update(taux_cible=taux_cible, taux=taux)
    c.assert_fact({"etape": "assujettissement", "soumise": bool(soumise and not commune.get("exemptee"))})

def non_soumise(c: Any) -> None:
    _VALUES[c.s.sid]["resultat"] = None

def deficit(c: Any) -> None:
    values = _VALUES[c.s.sid]
    commune = values["commune"]
    residences, sociaux = commune["residences_principales"], commune["logements_sociaux"]
    values["manquants"] = max(0, math.ceil(values["taux_cible"] * residences - sociaux))
    ecart = (values["taux_cible"] - values["taux"]) * 100
    c.assert_fact({"etape": "deficit", "ecart": float(ecart)})

def rattrapage(c: Any) -> None:
    values = _VALUES[c.s.sid]
    ecart = (values["taux_cible"] - values["taux"]) * 100
    part = Fraction(1) if ecart < 2 else Fraction(50, 100) if ecart <= 4 else Fraction(33, 100)
    entree: dt.date | None = values["commune"].get("date_entree_dispositif")
    periode_debut = values["periode_debut"]
    if entree is not None:
        debut_entree = FIRST_PERIOD + PERIOD_LENGTH * ((entree.year - FIRST_PERIOD) // PERIOD_LENGTH)
        premiere_pleine = debut_entree if entree == dt.date(debut_entree, 1, 1) else debut_entree + PERIOD_LENGTH
        if debut_entree == periode_debut and premiere_pleine > periode_debut:
            part = Fraction(10, 100)
        elif premiere_pleine == periode_debut:
            part = Fraction(15, 100)
        elif premiere_pleine + PERIOD_LENGTH == periode_debut:
            part = Fraction(25, 100)
    values["objectif"] = math.ceil(part * values["manquants"])
    c.assert_fact({"etape": "objectif", "objectif": values["objectif"]})

def typologie(c: Any) -> None:
    values = _VALUES[c.s.sid]
    commune, objectif = values["commune"], values["objectif"]
    part_pls = Fraction(20, 100) if values["taux"] < Fraction(10, 100) and not commune["plh"] else Fraction(30, 100)
    values["resultat"] = (objectif, math.ceil(Fraction(30, 100) * objectif), math.floor(part_pls * objectif))


def _step(name: str, **fields: object) -> dict[str, Any]:
    return {"m": {"$and": [{"etape": name}, *({key: value} for key, value in fields.items())]}}


_HOST = engine.Host()
_HOST.register_rulesets(
    {
        NAME: {
            "assujettissement": {"all": [_step("commune")], "run": assujettissement},
            "non_soumise": {"all": [_step("assujettissement", soumise=False)], "run": non_soumise},
            "deficit": {"all": [_step("assujettissement", soumise=True)], "run": deficit},
            "rattrapage": {"all": [_step("deficit")], "run": rattrapage},
            "typologie": {"all": [_step("objectif")], "run": typologie},
        }
    }
)


def objectif_brut(commune: dict[str, Any], periode_debut: int = 2023) -> tuple[int, int, int] | None:
    """What :func:`baseline_3ds.objectif_3ds` computes, through the engine: one session per commune."""
    sid = str(next(_SIDS))
    _VALUES[sid] = {"commune": commune, "periode_debut": periode_debut}
    try:
        _HOST.assert_fact(NAME, {"sid": sid, "etape": "commune"})
        return _VALUES[sid]["resultat"]  # type: ignore[no-any-return]
    finally:
        _HOST.delete_state(NAME, sid)
        del _VALUES[sid]
