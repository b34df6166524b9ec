"""What the inference engine takes: durable_rules fails beyond some sizes (a crash, a hang, a bare
error code), so rules in force together beyond them are refused at load, with a margin, by the
checks of the whole book (:mod:`.checks`), and again by the compiler before it builds a ruleset.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import RuleFileError
from ..model import Rule

#: What the engine takes, measured on durable_rules 2.0.28 (beyond: a crash, a hang or « error code
#: 108 », 106 or 304), and the limits kept here, with a margin.
ENGINE_LIMITS = {
    "regles_moteur": (4096, 3000),  # engine rules in one ruleset (one per set of names waited for)
    "lecteurs": (255, 200),  # engine rules waiting for one same concluded name
    "noms_attendus": (511, 400),  # concluded names some rule reads
    "lus_par_regle": (16, 12),  # concluded names one rule reads
}


def check_capacity(rules: Sequence[Rule], book: str) -> None:
    """Refuse, with a French error naming ``book`` (and the rule or name at fault), rules in force
    together that the engine could not take. Called by the loader for every set of rules in force
    at some date (:func:`.checks.check_book`), and again before compiling."""
    producers = {name for rule in rules for name in rule.alors}
    waits = {frozenset(rule.reads & producers) for rule in rules}
    limit = {key: kept for key, (_, kept) in ENGINE_LIMITS.items()}
    for rule in rules:
        read = sorted(rule.reads & producers)
        if len(read) > limit["lus_par_regle"]:
            raise RuleFileError(
                book,
                f"la règle lit {len(read)} valeurs établies par d'autres règles ; le moteur en joint au plus"
                f" {limit['lus_par_regle']} : passer par une valeur intermédiaire",
                f"règle {rule.id} ({rule.fichier})",
            )
    readers: dict[str, int] = {}
    for names in waits:
        for name in names:
            readers[name] = readers.get(name, 0) + 1
    crowded = sorted(name for name, count in readers.items() if count > limit["lecteurs"])
    if crowded:
        raise RuleFileError(
            book,
            f"« {crowded[0]} » est lue par des règles attendant {readers[crowded[0]]} ensembles de valeurs"
            f" différents ; le moteur en admet au plus {limit['lecteurs']}",
        )
    if len(readers) > limit["noms_attendus"]:
        raise RuleFileError(
            book,
            f"{len(readers)} valeurs établies par des règles sont lues par d'autres règles à une même date ;"
            f" le moteur en admet au plus {limit['noms_attendus']}",
        )
    if len(waits) > limit["regles_moteur"]:
        raise RuleFileError(
            book,
            f"les {len(rules)} règles en vigueur à une même date attendent {len(waits)} ensembles de valeurs"
            f" différents ; le moteur en admet au plus {limit['regles_moteur']}",
        )
