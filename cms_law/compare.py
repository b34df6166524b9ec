"""``cms-law compare``: the impact of a reform on an inventory — each commune's figure under the law
and under the reform, the difference, totals by department and overall, the communes whose regime
changes, and a chart of the distribution of the changes.

Each side is a whole ``cms-law batch`` (the same reading of the CSV, the same row errors, the
same worker processes), run with its rule book; the two are then joined row by row. Which
figure is compared is a name of the results (``--grandeur``, by default the triennial objective):
this module knows no legal quantity itself.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from .errors import InputError, Problem
from .explain import french, json_value, reform_as_dict
from .model import RuleBook

#: The figure compared unless ``--grandeur`` says otherwise.
DEFAULT_FIGURE = "objectif_triennal"
#: What a result says of the regime applied (the rule that set the catch-up rate) and of subjection.
REGIME_KEYS = ("soumise", "regime")
FORMATS = ("text", "json", "csv")
#: A figure compared: a count, or an exact decimal (a rate, points).
Number = int | Fraction


@attrs.frozen
class Row:
    ligne: int
    nom: str
    code_insee: str
    departement: str
    avant: Any
    apres: Any
    regime_avant: Any
    regime_apres: Any
    soumise_avant: Any
    soumise_apres: Any

    @property
    def difference(self) -> Number | None:
        if self.avant is None and self.apres is None:
            return None
        return _number(self.apres) - _number(self.avant)

    @property
    def regime_change(self) -> bool:
        return (self.regime_avant, self.soumise_avant) != (self.regime_apres, self.soumise_apres)


@attrs.frozen
class Comparison:
    grandeur: str
    libelle: str
    #: The figure's type (``entier``, ``taux``…), as the vocabulary declares it.
    type: str
    avant: str  # what the first side is: « la loi en vigueur », or a stamp's title
    apres: str
    reforme_avant: dict[str, Any] | None
    reforme_apres: dict[str, Any] | None
    lignes: tuple[Row, ...]
    rejetees: tuple[dict[str, Any], ...]

    def totals(self, rows: Any = None) -> dict[str, Any]:
        """Sums over ``rows`` (every row by default), a commune without the figure counting 0."""
        rows = self.lignes if rows is None else rows
        before: Number = sum((_number(r.avant) for r in rows), 0)
        after: Number = sum((_number(r.apres) for r in rows), 0)
        return {
            "communes": len(rows),
            "avant": before,
            "apres": after,
            "difference": after - before,
            "communes_en_hausse": sum(1 for r in rows if (r.difference or 0) > 0),
            "communes_en_baisse": sum(1 for r in rows if (r.difference or 0) < 0),
            "communes_inchangees": sum(1 for r in rows if not r.difference),
        }

    def by_department(self) -> dict[str, dict[str, Any]]:
        departments = sorted({r.departement for r in self.lignes})
        return {d: self.totals([r for r in self.lignes if r.departement == d]) for d in departments}

    def as_dict(self) -> dict[str, Any]:
        return {
            "grandeur": self.grandeur,
            "avant": {"libelle": self.avant, "reforme": self.reforme_avant},
            "apres": {"libelle": self.apres, "reforme": self.reforme_apres},
            "total": self._json(self.totals()),
            "departements": {name: self._json(totals) for name, totals in self.by_department().items()},
            "changements_de_regime": [self._json(_row_dict(r)) for r in self.lignes if r.regime_change],
            "communes": [self._json(_row_dict(r)) for r in self.lignes],
            "rejetees": list(self.rejetees),
        }

    def _json(self, data: dict[str, Any]) -> dict[str, Any]:
        """Figures as results write them: counts as integers, other numbers as exact decimal strings."""
        return {key: json_value(value, self.type) if key in _FIGURE_KEYS else value for key, value in data.items()}

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        keys = ["ligne", "nom", "code_insee", "departement", "avant", "apres", "difference",
                "regime_avant", "regime_apres", "soumise_avant", "soumise_apres", "changement_de_regime"]
        writer.writerow(keys)
        for row in self.lignes:
            data = self._json(_row_dict(row))
            writer.writerow(["" if data[key] is None else _cell(data[key]) for key in keys])
        return out.getvalue()

    def texte(self) -> str:
        total = self.totals()
        lines = [
            f"Comparaison de « {self.libelle} » ({self.grandeur}), commune par commune :",
            f"  avant : {self.avant}",
            f"  après : {self.apres}",
            "",
            f"Total ({_n(total['communes'])} communes évaluées des deux côtés) : {_n(total['avant'])} → {_n(total['apres'])}"
            f" ({_signed(total['difference'])}) ; {_n(total['communes_en_hausse'])} en hausse,"
            f" {_n(total['communes_en_baisse'])} en baisse, {_n(total['communes_inchangees'])} inchangées.",
            "",
            "Par département :",
        ]
        for department, figures in self.by_department().items():
            lines.append(
                f"  {department} : {_n(figures['avant'])} → {_n(figures['apres'])} ({_signed(figures['difference'])}),"
                f" {_n(figures['communes'])} communes"
            )
        changed = [r for r in self.lignes if r.regime_change]
        lines += ["", f"Communes dont le régime change ({_n(len(changed))}) :"]
        lines += [f"  {r.nom} ({r.code_insee}) : {_regime(r.soumise_avant, r.regime_avant)} → "
                  f"{_regime(r.soumise_apres, r.regime_apres)}" for r in changed] or ["  aucune"]
        largest = sorted((r for r in self.lignes if r.difference), key=_largest_first)[:10]
        if largest:
            lines += ["", "Plus fortes variations :"]
            lines += [f"  {r.nom} ({r.code_insee}) : {_n(_number(r.avant))} → {_n(_number(r.apres))}"
                      f" ({_signed(r.difference)})" for r in largest]
        if self.rejetees:
            lines += ["", f"Lignes rejetées ({_n(len(self.rejetees))}, non comparées) :"]
            lines += [f"  ligne {e['ligne']} {e['nom']} ({e['cote']}) : "
                      + " ; ".join(f"{p['champ']} : {p['message']}" for p in e["erreurs"]) for e in self.rejetees]
        return "\n".join(lines) + "\n"

    def svg(self) -> str:
        return _histogram(self)


def _largest_first(row: Row) -> tuple[Number, int]:
    change = _number(row.difference)
    return (change if change < 0 else -change), row.ligne


def compare(
    inventaire: str | Path,
    avant: RuleBook,
    apres: RuleBook,
    *,
    periode: str | None = None,
    conventions: Mapping[str, str] | None = None,
    grandeur: str = DEFAULT_FIGURE,
    jobs: int | None = None,
) -> Comparison:
    """Every commune of ``inventaire`` under ``avant`` (the law, usually) and ``apres`` (a reform)."""
    kinds = {name: variable.type for name, variable in apres.variables.items()}
    if kinds.get(grandeur) not in ("entier", "nombre", "taux", "points"):
        numeric = sorted(name for name, kind in kinds.items() if kind in ("entier", "nombre"))
        raise InputError([Problem("--grandeur", f"grandeur numérique inconnue (par exemple : {', '.join(numeric[:12])}…)", grandeur)])
    sides = [_run(inventaire, book, periode, conventions, jobs) for book in (avant, apres)]
    (rows_before, errors_before), (rows_after, errors_after) = sides
    rows = []
    for line in sorted(set(rows_before) & set(rows_after)):
        a, b = rows_before[line], rows_after[line]
        commune = a["commune"]
        rows.append(Row(
            line, str(commune.get("nom", "")), str(commune.get("code_insee") or ""), _department(commune.get("code_insee")),
            _value(a.get(grandeur)), _value(b.get(grandeur)), a.get("regime"), b.get("regime"),
            a.get("soumise"), b.get("soumise"),
        ))
    rejected = [{**e, "cote": "avant"} for e in errors_before] + [{**e, "cote": "après"} for e in errors_after]
    rejected.sort(key=lambda e: (e["ligne"], e["cote"]))
    return Comparison(
        grandeur,
        apres.variables[grandeur].libelle,
        apres.variables[grandeur].type,
        _side(avant),
        _side(apres),
        reform_as_dict(avant.reforme) if avant.reforme else None,
        reform_as_dict(apres.reforme) if apres.reforme else None,
        tuple(rows),
        tuple(rejected),
    )


def _run(path: str | Path, book: RuleBook, period: str | None, conventions: Any, jobs: int | None) -> tuple[dict[int, Any], list[Any]]:
    from . import batch  # its worker pool is not needed for the parser's defaults, read at every start

    with tempfile.TemporaryDirectory(prefix="cms-law-compare-") as folder:
        results, errors = Path(folder) / "r.jsonl", Path(folder) / "e.jsonl"
        batch.run(path, results, period=period, conventions=conventions, output_format="json", errors_path=errors,
                  jobs=jobs, stderr=io.StringIO(), rulebook=book)
        rows = {data["ligne"]: data for data in map(json.loads, results.read_text(encoding="utf-8").splitlines())}
        rejected = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    return rows, rejected


def _side(book: RuleBook) -> str:
    if book.reforme is None:
        return "la loi encodée (règles du paquet)"
    return f"réforme « {book.reforme.titre} » (empreinte sha256 {book.reforme.empreinte[:16]}…)"


def _department(code: object) -> str:
    """The department of an INSEE code: its first two characters, three overseas (97x, 98x)."""
    text = str(code or "").strip()
    if len(text) != 5:
        return "sans code"
    return text[:3] if text.startswith(("97", "98")) else text[:2]


#: The keys of a row or a total that hold the figure compared.
_FIGURE_KEYS = ("avant", "apres", "difference")


def _value(value: Any) -> Number | None:
    """A figure as JSON wrote it: an integer, or an exact decimal string (read back exactly)."""
    if isinstance(value, str):
        return Fraction(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Number | None) -> Number:
    return 0 if value is None else value


def _row_dict(row: Row) -> dict[str, Any]:
    return {**attrs.asdict(row), "difference": row.difference, "changement_de_regime": row.regime_change}


def _cell(value: Any) -> Any:
    return ("oui" if value else "non") if isinstance(value, bool) else value


def _n(value: Number) -> str:
    return french(value, "entier" if isinstance(value, int) else "nombre")


def _signed(value: Number | None) -> str:
    value = value or 0
    return ("+" if value > 0 else "") + _n(value) if value >= 0 else "−" + _n(-value)


def _regime(soumise: Any, regime: Any) -> str:
    if soumise is False:
        return "non soumise"
    return str(regime) if regime else "sans objectif"


# --------------------------------------------------------------------------- the chart


def _nice_width(span: Number) -> Number:
    """A bin width of 1, 2 or 5 times a power of ten giving about ten bins over ``span``."""
    raw, power = Fraction(span) / 10, Fraction(1)
    while power * 10 <= raw:
        power *= 10
    while power > raw and power > Fraction(1, 10**9):
        power /= 10
    width = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)
    return int(width) if width.denominator == 1 else width


def _bins(differences: list[Number]) -> list[tuple[tuple[str, ...], int, Number]]:
    """(label lines, count, lower bound) of about ten bins of a round width over the changes; « 0 » apart."""
    changed = [d for d in differences if d]
    zero = differences.count(0)
    bins: list[tuple[tuple[str, ...], int, Number]] = [(("0",), zero, 0)] if zero else []
    if not changed:
        return bins
    low, high = min(changed), max(changed)
    integers = all(isinstance(d, int) for d in changed)
    width: Number = max(_nice_width(high - low + 1), 1) if integers else _nice_width(high - low or 1)
    start = (low // width) * width
    while start <= high:
        end = start + width
        count = sum(1 for d in changed if start <= d < end)
        # The bin from 0 holds no zero (those have their own bar): it starts at the first change.
        first: Number = (1 if integers else start) if start == 0 else start
        if width == 1:
            label: tuple[str, ...] = (_signed(start),)
        else:
            label = (_signed(first), f"à {_signed(end - 1 if integers else end)}")
        bins.append((label, count, start))
        start = end
    return sorted(bins, key=lambda item: (item[2], item[0] != ("0",)))


def _histogram(comparison: Comparison) -> str:
    from .history import escape  # the one SVG escape, kept out of the start of every command

    differences = [r.difference for r in comparison.lignes if r.difference is not None]
    without = len(comparison.lignes) - len(differences)
    bins = _bins([d for d in differences if d is not None])
    total = comparison.totals()
    width, left, right, top, plot_height = 820, 56, 24, 104, 300
    plot_width = width - left - right
    height = top + plot_height + 96
    highest = max([count for _, count, _ in bins] + [1])
    step = max(1, -(-highest // 5))
    slot = plot_width / max(len(bins), 1)
    title = f"Effet de la réforme sur « {comparison.libelle} » : variation par commune"
    figures = (f"Total : {_n(total['avant'])} → {_n(total['apres'])} ({_signed(total['difference'])}) sur"
               f" {_n(total['communes'])} communes" + (f", dont {_n(without)} sans valeur de part et d'autre (non"
                                                         " comptées ci-dessous)" if without else ""))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="26" font-size="16" font-weight="bold">{escape(title)}</text>',
        f'<text x="{left}" y="48" fill="#444">Après : {escape(comparison.apres[:120])}</text>',
        f'<text x="{left}" y="66" fill="#444">Avant : {escape(comparison.avant[:120])}</text>',
        f'<text x="{left}" y="84" fill="#222">{escape(figures)}</text>',
    ]
    scale = -(-highest // step) * step
    for tick in range(0, scale + 1, step):
        y = top + plot_height - plot_height * tick / scale
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for index, (label, count, lower) in enumerate(bins):
        x = left + index * slot + slot * 0.12
        bar = plot_height * count / scale
        y = top + plot_height - bar
        colour = "#9e9e9e" if label == ("0",) else ("#c0392b" if lower >= 0 else "#2e86c1")
        centre = x + slot * 0.38
        parts += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.76:.1f}" height="{bar:.1f}" fill="{colour}">'
            f"<title>{escape(' '.join(label))} : {count} commune(s)</title></rect>",
            f'<text x="{centre:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-weight="bold">{count}</text>',
            *(f'<text x="{centre:.1f}" y="{top + plot_height + 16 + 13 * row}" text-anchor="middle" font-size="11">'
              f"{escape(line)}</text>" for row, line in enumerate(label)),
        ]
    parts += [
        f'<line x1="{left}" y1="{top + plot_height}" x2="{left + plot_width}" y2="{top + plot_height}" stroke="#333"/>',
        f'<text x="{left + plot_width / 2:.1f}" y="{top + plot_height + 48}" text-anchor="middle">'
        f"variation de « {escape(comparison.libelle)} » par commune (après − avant)</text>",
        f'<text x="14" y="{top + plot_height / 2:.1f}" transform="rotate(-90 14 {top + plot_height / 2:.1f})"'
        ' text-anchor="middle">nombre de communes</text>',
        f'<rect x="{left}" y="{top + plot_height + 66}" width="10" height="10" fill="#c0392b"/>'
        f'<text x="{left + 14}" y="{top + plot_height + 75}">hausse</text>',
        f'<rect x="{left + 80}" y="{top + plot_height + 66}" width="10" height="10" fill="#2e86c1"/>'
        f'<text x="{left + 94}" y="{top + plot_height + 75}">baisse</text>',
        f'<rect x="{left + 160}" y="{top + plot_height + 66}" width="10" height="10" fill="#9e9e9e"/>'
        f'<text x="{left + 174}" y="{top + plot_height + 75}">inchangée</text>',
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
