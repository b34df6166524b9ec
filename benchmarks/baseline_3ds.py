"""The 3DS triennial objective as one plain Python function: the benchmark's baseline.

This is deliberately what cms-law exists to avoid — rates, thresholds and conditions written
straight into code, no citation, no explanation, no versions of the law — kept here only to
price the declarative engine: the benchmark times it on the same communes and prints the ratio.
It also serves as an independent check, the benchmark counting the communes where the two
disagree. It follows cms-law's default conventions (deficit and objectives rounded up, PLS
maximum rounded down, exact gap) and the rules in force for 2023-2025.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any

FIRST_PERIOD = 2002
PERIOD_LENGTH = 3


def objectif_3ds(commune: dict[str, Any], periode_debut: int = 2023) -> tuple[int, int, int] | None:
    """The triennial objective, minimum PLAI and maximum PLS of a commune (``None`` when it has no
    objective), from its fields already typed."""
    seuil = 1500 if commune["unite_urbaine_paris"] else 3500
    taux_cible = commune.get("taux_cible")
    if taux_cible is None:
        reduit = commune.get("territoire_taux_reduit") and not commune.get("territoire_hors_liste")
        taux_cible = Fraction(20, 100) if reduit else Fraction(25, 100)
    residences, sociaux = commune["residences_principales"], commune["logements_sociaux"]
    taux = Fraction(sociaux, residences)
    soumise = commune["population"] >= seuil and commune["agglomeration_ou_epci_eligible"] and taux < taux_cible
    if not soumise or commune.get("exemptee"):
        return None
    manquants = max(0, math.ceil(taux_cible * residences - sociaux))
    ecart = (taux_cible - taux) * 100
    part = Fraction(33, 100)
    if ecart < 2:
        part = Fraction(1)
    elif ecart <= 4:
        part = Fraction(50, 100)
    entree: dt.date | None = commune.get("date_entree_dispositif")
    if entree is not None:
        debut_entree = FIRST_PERIOD + PERIOD_LENGTH * ((entree.year - FIRST_PERIOD) // PERIOD_LENGTH)
        premiere_pleine = debut_entree if entree == dt.date(debut_entree, 1, 1) else debut_entree + PERIOD_LENGTH
        if debut_entree == periode_debut and premiere_pleine > periode_debut:
            part = Fraction(10, 100)
        elif premiere_pleine == periode_debut:
            part = Fraction(15, 100)
        elif premiere_pleine + PERIOD_LENGTH == periode_debut:
            part = Fraction(25, 100)
    objectif = math.ceil(part * manquants)
    part_pls = Fraction(20, 100) if taux < Fraction(10, 100) and not commune["plh"] else Fraction(30, 100)
    return objectif, math.ceil(Fraction(30, 100) * objectif), math.floor(part_pls * objectif)
