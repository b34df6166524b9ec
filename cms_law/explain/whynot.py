"""Why not, laid out: each rule weighed that did not apply (and each derogation's condition not met)
as JSON-ready data and as a French sentence naming the failing condition and the values it read."""

from __future__ import annotations

from typing import Any

from ..french import french
from ..model import RuleBook, RuleNotApplied

#: The heading of the section of the French text (``--pourquoi-pas``).
HEADING = "Règles examinées qui ne se sont pas appliquées, et conditions de dérogation non remplies :"


def _values_text(item: RuleNotApplied, book: RuleBook) -> str:
    shown = [
        f"{book.label_of(name)} ({name}) = {'inconnu' if value is None else french(value, book.type_of(name))}"
        for name, value in item.valeurs.items()
    ]
    return ", ".join(shown)


def why_not_text(item: RuleNotApplied, book: RuleBook) -> str:
    cited = " ; ".join(c.court for c in item.citations)
    what = (f"La condition « {item.titre} » de la dérogation {item.regle}" if item.nature == "derogation"
            else f"La règle {item.regle} (« {item.titre} »)")
    where = f" ({cited})" if cited else ""
    values = _values_text(item, book)
    if item.raison == "exception":
        return (f"{what}{where} est écartée : {', '.join(item.ecartee_par)}, déclarée son exception, s'applique"
                " à sa place.")
    if item.raison == "condition_fausse":
        verb = "n'est pas remplie" if item.nature == "derogation" else "ne s'applique pas"
        return f"{what}{where} {verb} : « {item.condition} » est faux, avec {values}."
    if item.condition is None:
        return f"{what}{where} ne conclut rien : une valeur dont elle a besoin est inconnue ({values})."
    return f"{what}{where} n'a pu être décidée : les données ne disent pas si « {item.condition} » ({values})."


def why_not_as_dict(item: RuleNotApplied, book: RuleBook, json_value: Any) -> dict[str, Any]:
    return {
        "nature": item.nature,
        "regle": item.regle,
        "titre": item.titre,
        "citations": [c.court for c in item.citations],
        "raison": item.raison,
        "condition": item.condition,
        "valeurs": {name: json_value(value, book.type_of(name)) for name, value in item.valeurs.items()},
        "ecartee_par": list(item.ecartee_par),
        "texte": why_not_text(item, book),
    }
