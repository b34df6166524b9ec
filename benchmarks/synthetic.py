"""Synthetic communes drawn with a fixed seed: the same work for every run of the benchmark, and
the fixed-seed batch whose output the reference test compares (``tests/test_reference_outputs.py``).

The figures are invented but shaped like France's (see :func:`synthetic_communes`); the codes are
``00001`` onwards, outside the official geographical code.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

COLUMNS = (
    "nom", "code_insee", "population", "unite_urbaine_paris", "agglomeration_ou_epci_eligible", "taux_cible",
    "territoire_taux_reduit", "territoire_hors_liste", "residences_principales", "logements_sociaux",
    "annee_inventaire", "exemptee", "date_entree_dispositif", "plh",
)  # fmt: skip


def synthetic_communes(count: int, inventaire: bool, rng: random.Random, first: int = 1) -> list[dict[str, Any]]:
    """Communes with typed fields, drawn from rough French distributions.

    ``inventaire``: the communes of the yearly SRU inventory (above the population threshold, in
    an eligible territory, social housing around 19 % of main residences). Otherwise all of
    France: most communes are small (median about 450 inhabitants, under a tenth above 3 500),
    outside eligible territories and with little social housing. Codes run from ``first`` on.
    """
    communes = []
    for number in range(first, first + count):
        paris = rng.random() < (0.2 if inventaire else 0.012)
        if inventaire:
            population = max(1500 if paris else 3500, int(rng.lognormvariate(math.log(9000), 0.9)))
            eligible = True
            share = rng.betavariate(2.2, 9.5)
        else:
            population = max(1, int(rng.lognormvariate(6.1, 1.45)))
            large = population >= 3500
            eligible = rng.random() < (0.8 if large else 0.35)
            share = rng.betavariate(2.2, 9.5) if large else rng.betavariate(0.6, 12)
        residences = max(1, round(population / rng.uniform(2.0, 2.5)))
        commune: dict[str, Any] = {
            "nom": f"Commune synthétique {number}",
            "code_insee": f"{number:05d}",
            "population": population,
            "unite_urbaine_paris": paris,
            "agglomeration_ou_epci_eligible": eligible,
            "residences_principales": residences,
            "logements_sociaux": min(residences, round(residences * share)),
            "plh": rng.random() < 0.65,
        }
        draw = rng.random()
        if draw < 0.8:
            commune["taux_cible"] = Fraction(25, 100)
        elif draw < 0.9:
            commune["taux_cible"] = Fraction(20, 100)
        else:
            commune["territoire_taux_reduit"] = rng.random() < 0.5
            commune["territoire_hors_liste"] = rng.random() < 0.1
        if rng.random() < 0.5:
            commune["annee_inventaire"] = 2022
        if rng.random() < 0.03:
            commune["exemptee"] = True
        if rng.random() < 0.02:
            entree = dt.date(rng.randint(2014, 2024), rng.randint(1, 12), rng.choice((1, 15)))
            commune["date_entree_dispositif"] = entree
        communes.append(commune)
    return communes


def cell(value: Any) -> str:
    """A value as a user's CSV writes it: ``oui``/``non``, rates as « 25 % »."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Fraction):
        return f"{value * 100} %"
    return str(value)


def write_csv(path: Path, communes: list[dict[str, Any]], append: bool = False) -> None:
    """The communes as a CSV file; with ``append``, added to its end without a header."""
    with path.open("a" if append else "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        if not append:
            writer.writerow(COLUMNS)
        writer.writerows([cell(commune.get(column)) for column in COLUMNS] for commune in communes)


def reference_communes(count: int, seed: int) -> list[dict[str, Any]]:
    """Half inventory communes (subject, most of them deficient: every step of the catch-up
    objective and the derogations), half all of France (mostly not subject), in one file."""
    rng = random.Random(seed)
    inventory = synthetic_communes(count // 2, True, rng)
    return inventory + synthetic_communes(count - count // 2, False, rng, first=count // 2 + 1)
