"""``cms-law diff-resultats A.json B.json``: two results compared — which figures differ, and the
first step of the reasoning where they part, with its citation.

It reads the JSON that ``--format json`` writes (a commune, an EPCI, a contract, a history), so
that a service that obtained a result last year, or under a reform, can say what changed and
from which alinéa. Figures are every value of the results outside their explanations and French
sentences; each explanation (the commune's, or each member's of an EPCI or contract) is walked
step by step until the two part: another rule, or the same rule reading or concluding other
values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .errors import InputError, Problem
from .inputs import read_file

#: Keys that hold sentences or the explanation itself, not figures.
_NOT_FIGURES = {"explication", "texte", "texte_long", "resume", "references", "pourquoi_pas", "version_loi_libelle"}


@attrs.frozen
class Parting:
    """Where two explanations part: the step's position, each side's step (None past its end)."""

    chemin: str
    numero: int
    avant: Mapping[str, Any] | None
    apres: Mapping[str, Any] | None

    @property
    def differences(self) -> dict[str, tuple[Any, Any]]:
        """Of a step of the same rule on both sides, the values read or concluded that differ."""
        if self.avant is None or self.apres is None or self.avant.get("regle") != self.apres.get("regle"):
            return {}
        found = {}
        for part in ("entrees", "valeurs"):
            before, after = self.avant.get(part) or {}, self.apres.get(part) or {}
            for name in sorted(set(before) | set(after)):
                if before.get(name) != after.get(name):
                    found[f"{part}.{name}"] = (before.get(name), after.get(name))
        return found


@attrs.frozen
class ResultsDiff:
    fichiers: tuple[str, str]
    chiffres: tuple[tuple[str, Any, Any], ...]
    separations: tuple[Parting, ...]
    reformes: tuple[Any, Any]

    @property
    def identiques(self) -> bool:
        return not self.chiffres and not self.separations

    def as_dict(self) -> dict[str, Any]:
        return {
            "avant": self.fichiers[0],
            "apres": self.fichiers[1],
            "identiques": self.identiques,
            "reforme_avant": self.reformes[0],
            "reforme_apres": self.reformes[1],
            "chiffres": [{"chemin": path, "avant": a, "apres": b} for path, a, b in self.chiffres],
            "separations": [
                {
                    "chemin": parting.chemin,
                    "etape": parting.numero,
                    "avant": _step(parting.avant),
                    "apres": _step(parting.apres),
                    "valeurs": [{"nom": name, "avant": a, "apres": b} for name, (a, b) in parting.differences.items()],
                }
                for parting in self.separations
            ],
        }

    def texte(self) -> str:
        lines = [f"Résultats comparés : {self.fichiers[0]} (avant) et {self.fichiers[1]} (après)"]
        for side, reform in zip(("avant", "après"), self.reformes):
            if reform:
                lines.append(f"  {side} : calculé sous la réforme « {reform.get('titre')} »"
                             f" (empreinte {str(reform.get('empreinte'))[:16]}…)")
        if self.identiques:
            return "\n".join([*lines, "", "Aucune différence : mêmes chiffres, même raisonnement."]) + "\n"
        lines += ["", f"Chiffres qui diffèrent ({len(self.chiffres)}) :"]
        lines += [f"  {path} : {_shown(a)} → {_shown(b)}" for path, a, b in self.chiffres] or ["  aucun"]
        for parting in self.separations:
            where = f" ({parting.chemin})" if parting.chemin else ""
            lines += ["", f"Le raisonnement{where} se sépare à l'étape {parting.numero} :"]
            for side, step in (("avant", parting.avant), ("après", parting.apres)):
                if step is None:
                    lines.append(f"  {side} : pas d'étape {parting.numero}, le raisonnement s'arrête avant")
                else:
                    cited = ", ".join(step.get("citations") or []) or "sans citation"
                    lines.append(f"  {side} : {step.get('regle')} ({cited}) — {step.get('texte')}")
            for name, (a, b) in parting.differences.items():
                lines.append(f"    {name} : {_shown(a)} → {_shown(b)}")
        return "\n".join(lines) + "\n"


def diff_results(first: str | Path, second: str | Path) -> ResultsDiff:
    """Compare two JSON results written by cms-law (``--format json``)."""
    data = []
    for option, path in (("A", first), ("B", second)):
        loaded = read_file(path)
        if not isinstance(loaded, Mapping) or "erreurs" in loaded:
            raise InputError([Problem(option, "un résultat JSON de cms-law (--format json) est attendu", str(path))])
        data.append(loaded)
    before, after = data
    figures = tuple(_figures(before, after, ""))
    partings = tuple(p for p in _partings(before, after, "") if p is not None)
    return ResultsDiff((str(first), str(second)), figures, partings, (before.get("reforme"), after.get("reforme")))


def _figures(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in [*a, *(k for k in b if k not in a)]:
            if key in _NOT_FIGURES or key == "reforme":
                continue
            yield from _figures(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
    elif isinstance(a, list) and isinstance(b, list):
        for index in range(max(len(a), len(b))):
            yield from _figures(a[index] if index < len(a) else None, b[index] if index < len(b) else None,
                                f"{path}[{_label(a, b, index)}]")
    elif a != b:
        yield path, a, b


def _label(a: list[Any], b: list[Any], index: int) -> str:
    """An item of a list by its name or type where it has one (a commune, a derogation), else its position."""
    item = a[index] if index < len(a) else b[index]
    if isinstance(item, Mapping):
        for key in ("type", "nom", "periode"):
            if isinstance(item.get(key), str):
                return item[key]
        commune = item.get("commune")
        if isinstance(commune, Mapping) and isinstance(commune.get("nom"), str):
            return commune["nom"]
    return str(index)


def _partings(a: Any, b: Any, path: str) -> Iterator[Parting | None]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        steps_a, steps_b = a.get("explication"), b.get("explication")
        if isinstance(steps_a, list) and isinstance(steps_b, list):
            yield _first_parting(steps_a, steps_b, path)
        for key in ("communes", "periodes"):
            if isinstance(a.get(key), list) and isinstance(b.get(key), list):
                for index, (x, y) in enumerate(zip(a[key], b[key])):
                    yield from _partings(x, y, f"{path}.{key}[{_label(a[key], b[key], index)}]".lstrip("."))


def _first_parting(a: list[Any], b: list[Any], path: str) -> Parting | None:
    for index in range(max(len(a), len(b))):
        x = a[index] if index < len(a) else None
        y = b[index] if index < len(b) else None
        if _essential(x) != _essential(y):
            return Parting(path, index + 1, x, y)
    return None


def _essential(step: Any) -> Any:
    if not isinstance(step, Mapping):
        return step
    return {key: step.get(key) for key in ("regle", "entrees", "valeurs", "citations")}


def _step(step: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {key: step.get(key) for key in ("regle", "titre", "citations", "texte")}


def _shown(value: Any) -> str:
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)
