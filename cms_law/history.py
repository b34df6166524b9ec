"""The encoded law through time: what changed between two dates, a commune period after period.

Nothing here knows the law: the rules and parameters in force on a date, the periods and the
law governing each come from ``rules/`` through the rule book and the evaluator.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from fractions import Fraction
from typing import Any
from html import escape as _html_escape

import attrs

from .documents import keeping_lines
from .errors import InputError, Problem
from .evaluator import evaluate, parse_period, period_of_date, regime_for, resolve_conventions
from .explain import (
    UNKNOWN_IN_SUMMARY,
    citation_as_dict,
    cite_in_full,
    evaluation_figures,
    french,
    json_value,
    provenance,
    provenance_lines,
    reform_as_dict,
    reform_banner,
    sentence,
    to_json,
)
from .expressions import Value, is_number
from .loader import load_rulebook
from .model import (
    ArticleVersion,
    Citation,
    HistoryLayout,
    LawRegime,
    Parameter,
    Period,
    Reform,
    Rule,
    RuleBook,
    TriennialPeriod,
)

# --------------------------------------------------------------------------- what changed between two dates

#: The aspects of a rule compared between two dates, with their French names.
RULE_ASPECTS = {"si": "condition", "alors": "conclusions", "citations": "citations", "explication": "explication"}


@attrs.frozen
class Change:
    """One rule or parameter added, removed or changed between two dates.

    ``avant`` and ``apres`` describe it on each date (None where it is not in force);
    ``aspects`` names what differs for a changed rule (``si``, ``alors``, ``citations``,
    ``explication``) or ``valeur`` for a parameter.
    """

    nature: str  # "regle" or "parametre"
    id: str
    titre: str
    changement: str  # "ajout", "suppression" or "modification"
    avant: Mapping[str, Any] | None
    apres: Mapping[str, Any] | None
    aspects: tuple[str, ...] = ()


@attrs.frozen
class LawDiff:
    """The encoded law on two dates and what differs between them."""

    avant: dt.date
    apres: dt.date
    regime_avant: LawRegime | None
    regime_apres: LawRegime | None
    articles: tuple[tuple[str, ArticleVersion | None, ArticleVersion | None], ...]
    changements: tuple[Change, ...]

    def as_dict(self) -> dict[str, Any]:
        def regime(value: LawRegime | None) -> dict[str, Any] | None:
            return None if value is None else {"id": value.id, "titre": value.titre, **_validity(value.validite)}

        return {
            "date_avant": self.avant.isoformat(),
            "date_apres": self.apres.isoformat(),
            "regime_avant": regime(self.regime_avant),
            "regime_apres": regime(self.regime_apres),
            "articles": [
                {"article": article, "version_avant": _version(before), "version_apres": _version(after)}
                for article, before, after in self.articles
            ],
            "changements": [
                attrs.asdict(change, recurse=False) | {"aspects": list(change.aspects)} for change in self.changements
            ],
        }

    def to_json(self) -> str:
        return to_json(self.as_dict())

    def texte(self) -> str:
        """The comparison in French, for a reader who contests or audits an objective."""
        lines = [
            f"Loi encodée au {french(self.avant, 'date')} : {_regime_line(self.regime_avant)}",
            f"Loi encodée au {french(self.apres, 'date')} : {_regime_line(self.regime_apres)}",
        ]
        if self.articles:
            lines += ["", "Versions d'articles :"]
            for article, before, after in self.articles:
                lines.append(f"  {article} : {_version_line(before)} → {_version_line(after)}")
        for nature, heading in (("regle", "Règles"), ("parametre", "Paramètres")):
            for kind, verb in (("ajout", "ajoutés"), ("suppression", "supprimés"), ("modification", "modifiés")):
                changes = [c for c in self.changements if c.nature == nature and c.changement == kind]
                if not changes:
                    continue
                word = verb.replace("és", "ées") if nature == "regle" else verb
                lines += ["", f"{heading} {word} ({len(changes)}) :"]
                for change in changes:
                    lines += _change_lines(change)
        if not self.changements and not self.articles:
            lines += ["", "Aucune différence : les mêmes règles et les mêmes valeurs s'appliquent aux deux dates."]
        return "\n".join(lines) + "\n"


def diff(avant: dt.date | str, apres: dt.date | str, *, rulebook: RuleBook | None = None) -> LawDiff:
    """Compare the encoded law on two dates: rules and parameters added, removed or changed."""
    book = rulebook or load_rulebook()
    before, after = _date(avant, "avant"), _date(apres, "apres")
    changes = _rule_changes(book, before, after) + _parameter_changes(book, before, after)
    articles = []
    for article in dict.fromkeys(version.article for version in book.articles):
        old, new = (_article_at(book, article, day) for day in (before, after))
        if old is not new:
            articles.append((article, old, new))
    return LawDiff(before, after, book.regime_at(before), book.regime_at(after), tuple(articles), tuple(changes))


def _date(value: dt.date | str, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError([Problem(field, "une date de la forme AAAA-MM-JJ est attendue (ex. 2022-02-23)", value)]) from None


def _article_at(book: RuleBook, article: str, day: dt.date) -> ArticleVersion | None:
    return next((v for v in book.articles if v.article == article and v.validite.contains(day)), None)


def _rule_changes(book: RuleBook, before: dt.date, after: dt.date) -> list[Change]:
    old = {rule.id: rule for rule in book.rules_at(before)}
    new = {rule.id: rule for rule in book.rules_at(after)}
    changes = []
    for rule_id in [*old, *(i for i in new if i not in old)]:
        first, second = old.get(rule_id), new.get(rule_id)
        if first is None or second is None:
            rule = first or second
            assert rule is not None
            kind = "ajout" if first is None else "suppression"
            changes.append(Change("regle", rule_id, rule.titre, kind, _rule_data(first), _rule_data(second)))
            continue
        aspects = tuple(aspect for aspect in RULE_ASPECTS if _rule_aspect(first, aspect) != _rule_aspect(second, aspect))
        if aspects:
            changes.append(
                Change("regle", rule_id, second.titre, "modification", _rule_data(first), _rule_data(second), aspects)
            )
    return changes


def _rule_aspect(rule: Rule, aspect: str) -> Any:
    """What is compared: the formulas' text (spacing aside), the cited wording, the explanation."""
    if aspect == "si":
        return _normalized(rule.si.source) if rule.si else None
    if aspect == "alors":
        return {name: _normalized(formula.source) for name, formula in rule.alors.items()}
    if aspect == "citations":
        return [_citation_key(citation) for citation in rule.citations]
    return _normalized(rule.explication)


def _citation_key(citation: Citation) -> tuple[Any, ...]:
    """A cited alinéa is the same if its place, wording, provenance and amending law are."""
    law = citation.version.loi.id if citation.version.loi else None
    return (citation.court, citation.alinea.provenance, citation.alinea.texte, law)


def _normalized(text: str) -> str:
    return " ".join(text.split())


def _rule_data(rule: Rule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "titre": rule.titre,
        "fichier": rule.fichier,
        "validite": _validity(rule.validite),
        "si": _normalized(rule.si.source) if rule.si else None,
        "alors": {name: _normalized(formula.source) for name, formula in rule.alors.items()},
        "exception_de": list(rule.exception_de),
        "citations": [citation_as_dict(citation) for citation in rule.citations],
        "citation": cite_in_full(rule.citations),
        "explication": _normalized(rule.explication),
    }


def _parameter_changes(book: RuleBook, before: dt.date, after: dt.date) -> list[Change]:
    changes = []
    for name in dict.fromkeys(parameter.nom for parameter in book.parametres):
        old, new = book.parameter(name, before), book.parameter(name, after)
        old_value = old.value_at(before) if old else None
        new_value = new.value_at(after) if new else None
        if old_value == new_value and (old_value is None or type(old_value) is type(new_value)):
            continue
        if old_value is None:
            kind = "ajout"
        elif new_value is None:
            kind = "suppression"
        else:
            kind = "modification"
        parameter = new or old
        assert parameter is not None
        changes.append(
            Change(
                "parametre",
                name,
                parameter.titre,
                kind,
                _parameter_data(old, old_value),
                _parameter_data(new, new_value),
                ("valeur",) if kind == "modification" else (),
            )
        )
    return changes


def _parameter_data(parameter: Parameter | None, value: Value) -> dict[str, Any] | None:
    if parameter is None or value is None:
        return None
    return {
        "titre": parameter.titre,
        "fichier": parameter.fichier,
        "valeur": json_value(value, parameter.type),
        "valeur_texte": french(value, parameter.type),
        "citations": [citation_as_dict(citation) for citation in parameter.citations],
        "citation": cite_in_full(parameter.citations),
    }


def _validity(period: Period) -> dict[str, Any]:
    return {"debut": period.debut.isoformat(), "fin": period.fin.isoformat() if period.fin else None}


def _version(version: ArticleVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "fichier": version.fichier,
        **_validity(version.validite),
        "debut_precision": version.debut_precision,
        "loi": version.loi.titre_court if version.loi else None,
    }


def _regime_line(regime: LawRegime | None) -> str:
    return f"{regime.id} — {regime.titre}" if regime else "aucune version encodée"


def _version_line(version: ArticleVersion | None) -> str:
    if version is None:
        return "aucune version encodée"
    end = french(version.validite.fin, "date") if version.validite.fin else "…"
    return f"{version.redaction} (du {french(version.validite.debut, 'date')} au {end})"


def _change_lines(change: Change) -> list[str]:
    sign = {"ajout": "+", "suppression": "-", "modification": "~"}[change.changement]
    lines = [f"  {sign} {change.id} — {change.titre}"]
    if change.nature == "parametre":
        before = change.avant["valeur_texte"] if change.avant else "sans valeur"
        after = change.apres["valeur_texte"] if change.apres else "sans valeur"
        lines.append(f"      valeur : {before} → {after}")
        for label, data in (("avant", change.avant), ("après", change.apres)):
            if data:
                lines.append(f"      {label} : {data['citation']}")
        return lines
    if change.changement != "modification":
        data = change.avant or change.apres
        assert data is not None
        if data["si"]:
            lines.append(f"      si : {data['si']}")
        lines += [f"      alors : {name} = {formula}" for name, formula in data["alors"].items()]
        lines.append(f"      cite : {data['citation']}")
        return lines
    assert change.avant is not None and change.apres is not None
    for aspect in change.aspects:
        lines.append(f"      {RULE_ASPECTS[aspect]} modifiée{'s' if aspect in ('alors', 'citations') else ''} :")
        if aspect == "citations":
            old, new = change.avant["citation"], change.apres["citation"]
        elif aspect == "alors":
            old, new = (" ; ".join(f"{n} = {f}" for n, f in d["alors"].items()) for d in (change.avant, change.apres))
        else:
            old, new = change.avant[aspect], change.apres[aspect]
        lines += [f"        avant : {old or '(aucune)'}", f"        après : {new or '(aucune)'}"]
    return lines


# --------------------------------------------------------------------------- a commune period after period

#: The key of a commune description that holds the data specific to each period.
PER_PERIOD_KEY = "periodes"

#: How the table and the chart show a period whose data the law of the time rejected.
NOT_EVALUATED = "non évaluée"
#: What identifies each period, before the columns of ``syntheses.historique`` in vocabulaire.yaml.
IDENTIFICATION = ("periode", "version_loi")


@attrs.frozen
class PeriodResult:
    """One period of a commune's history: its figures, or the problems that kept it from evaluation."""

    periode: str
    regime: LawRegime
    valeurs: Mapping[str, Any]  # the JSON values of the columns
    #: The cells of the French table, the height and the label of the chart's bar.
    cellules: tuple[str, ...]
    hauteur: int | Fraction
    etiquette: str
    erreurs: tuple[Problem, ...] = ()


@attrs.frozen
class CommuneHistory:
    nom: str
    layout: HistoryLayout
    periodes: tuple[PeriodResult, ...]
    rulebook: RuleBook = attrs.field(repr=False, eq=False)
    #: The conventions applied, over every period evaluated.
    conventions: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def versions_loi(self) -> list[str]:
        """Each law version applied, in the order of the periods."""
        return list(dict.fromkeys(result.regime.id for result in self.periodes))

    @property
    def reforme(self) -> Reform | None:
        """The reform the periods were computed under (None: the law)."""
        return self.rulebook.reforme

    @property
    def columns(self) -> tuple[str, ...]:
        return (*IDENTIFICATION, *self.layout.colonnes)

    @property
    def complete(self) -> bool:
        return not any(result.erreurs for result in self.periodes)

    def as_dict(self) -> dict[str, Any]:
        return {
            **({"reforme": reform_as_dict(self.reforme)} if self.reforme else {}),
            "commune": self.nom,
            "periodes": [
                {
                    **result.valeurs,
                    "loi": result.regime.loi.titre_court if result.regime.loi else None,
                    "erreurs": [{"champ": p.champ, "message": p.message} for p in result.erreurs],
                }
                for result in self.periodes
            ],
            "produit_par": provenance(self.rulebook, self.versions_loi, self.conventions),
        }

    def to_json(self) -> str:
        return to_json(self.as_dict())

    def to_csv(self) -> str:
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        stamp = [] if self.reforme is None else [self.reforme.titre, self.reforme.empreinte]
        writer.writerow([*self.columns, "loi", "erreurs", *(["reforme", "reforme_empreinte"] if stamp else [])])
        for row in self.as_dict()["periodes"]:
            errors = " ; ".join(f"{e['champ']} : {e['message']}" for e in row["erreurs"])
            writer.writerow([*(_csv_cell(row[column]) for column in self.columns), row["loi"] or "", errors, *stamp])
        return output.getvalue()

    def texte(self) -> str:
        """A French table, one line per period, then the laws that governed them."""
        headers = ("Période", "Loi", *(column.libelle for column in self.layout.tableau))
        rows = [(result.periode, result.regime.id, *result.cellules) for result in self.periodes]
        widths = [max(len(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]
        lines = [f"Commune : {self.nom} — {self.layout.titre}", ""]
        for row in (headers, *rows):
            lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
        lines += ["", "Lois appliquées (la loi d'une période est celle en vigueur à son premier jour) :"]
        for regime in dict.fromkeys(result.regime for result in self.periodes):
            lines.append(f"  {regime.id} : {regime.titre}")
        problems = [(r.periode, p) for r in self.periodes for p in r.erreurs]
        if problems:
            lines += ["", "Périodes non évaluées :"]
            lines += [f"  {period} — {p.champ} : {p.message}" for period, p in problems]
        lines += provenance_lines(self.rulebook, self.versions_loi, self.conventions)
        return (reform_banner(self.reforme) if self.reforme else "") + "\n".join(lines) + "\n"

    def svg(self) -> str:
        """A bar chart of the objectives, one bar per period, coloured and labelled by regime."""
        return _bar_chart(self)


def _csv_cell(value: Any) -> Any:
    """Booleans as « oui » / « non », like the batch results; an absent value as an empty cell."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return "" if value is None else value


def commune_history(
    commune: Mapping[str, Any],
    premiere: str | None = None,
    derniere: str | None = None,
    conventions: Mapping[str, str] | None = None,
    *,
    rulebook: RuleBook | None = None,
) -> CommuneHistory:
    """Evaluate a commune for every period from ``premiere`` to ``derniere``, each under its law.

    ``commune`` describes the commune as for :func:`~cms_law.evaluate`; its optional key
    ``periodes`` maps a period (``"2014-2016"``) to the values specific to it (inventory, target
    rate…), which replace the common ones for that period. ``premiere`` defaults to the first
    period of the encoded law, ``derniere`` to the rules' default period. A period whose data the
    law of the time rejects is kept, with its problems.
    """
    book = rulebook or load_rulebook()
    if not isinstance(commune, Mapping):
        raise InputError([Problem("commune", "une description de commune (dictionnaire) est attendue", None)])
    _, convention_problems = resolve_conventions(book, conventions)
    if convention_problems:  # reported once, not under each period
        raise InputError(convention_problems)
    base = keeping_lines(commune, {key: value for key, value in commune.items() if key != PER_PERIOD_KEY})
    specific = commune.get(PER_PERIOD_KEY) or {}
    if not isinstance(specific, Mapping):
        raise InputError([Problem(PER_PERIOD_KEY, "un dictionnaire période → valeurs est attendu", specific)])
    periods = _periods(book, premiere or _first_period(book), derniere or book.periode["defaut"])
    problems: list[Problem] = []
    for key in specific:
        try:
            _triennial(book, str(key), f"{PER_PERIOD_KEY}.{key}")
        except InputError as error:
            problems += error.problemes
    if problems:
        raise InputError(problems)
    layout = book.historique
    assert layout is not None, "the loader always reads syntheses.historique"
    columns = (*IDENTIFICATION, *layout.colonnes)
    results = []
    applied: dict[str, str] = {}
    for period in periods:
        data = {**base, **(specific.get(period) or {})}  # periods outside the range are left out
        regime = regime_for(book, parse_period(book, period))
        try:
            evaluation = evaluate(data, period, conventions, rulebook=book)
        except InputError as error:
            empty = {column: None for column in columns} | {"periode": period, "version_loi": regime.id}
            # No figure; the last cell of the row says why (the reasons follow the table).
            cells = tuple(UNKNOWN_IN_SUMMARY for _ in layout.tableau[:-1]) + (NOT_EVALUATED,)
            results.append(PeriodResult(period, regime, empty, cells, 0, NOT_EVALUATED, tuple(error.problemes)))
            continue
        applied.update(evaluation.conventions)
        figures = evaluation_figures(evaluation)
        height = evaluation.valeurs.get(layout.valeur_graphique)
        results.append(
            PeriodResult(
                period,
                regime,
                {column: figures[column] for column in columns},
                tuple(sentence(evaluation, c.phrase, f"historique.{c.libelle}") for c in layout.tableau),
                height if is_number(height) else 0,
                sentence(evaluation, layout.etiquette, "historique.etiquette"),
            )
        )
    return CommuneHistory(str(base.get("nom", "commune")), layout, tuple(results), book, applied)


def _first_period(book: RuleBook) -> str:
    """The first period that an encoded version of the law counts (the one its periods start from)."""
    for regime in book.regimes:
        start = book.parameters_at(regime.validite.debut).get(book.periode["premiere_annee"])
        if isinstance(start, int):
            return period_of_date(book, dt.date(start, 1, 1))
    raise InputError([Problem("--from", "aucune période triennale n'est encodée", None)])


def _periods(book: RuleBook, first: str, last: str) -> list[str]:
    """The periods from ``first`` to ``last``: each next one is the period of the day after the last day."""
    start, end = _triennial(book, first, "--from"), _triennial(book, last, "--to")
    if end.debut < start.debut:
        raise InputError([Problem("--to", f"la dernière période précède la première ({first})", last)])
    periods = [str(start)]
    while periods[-1] != str(end):
        following = dt.date(int(periods[-1].split("-")[1]), 12, 31) + dt.timedelta(days=1)
        periods.append(period_of_date(book, following))
    return periods


def _triennial(book: RuleBook, text: str, field: str) -> TriennialPeriod:
    """``text`` read as a period, refused unless the rules count it as one (its first day's period)."""
    try:
        period = parse_period(book, text)
        counted = period_of_date(book, period.date_reference)
    except InputError:
        counted = None
    if counted is None or counted != str(period):
        raise InputError([Problem(field, "une période triennale de la loi encodée est attendue (ex. 2014-2016)", text)])
    return period


# --------------------------------------------------------------------------- the chart

#: Colours of the regimes, in the order they appear (a neutral palette legible in print).
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1")


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped, as ``xml.sax.saxutils.escape`` does, without importing it
    (it imports ``urllib.request``, about a tenth of the command line's start)."""
    return _html_escape(text, quote=False)


def _bar_chart(history: CommuneHistory) -> str:
    regimes = list(dict.fromkeys(result.regime for result in history.periodes))
    width, left, top, plot_height = 760, 24, 48, 240
    plot_width = width - 2 * left
    height = top + plot_height + 48 + 18 * len(regimes)
    colour = {regime.id: PALETTE[i % len(PALETTE)] for i, regime in enumerate(regimes)}
    heights = [result.hauteur for result in history.periodes]
    reformed = f" — RÉFORME « {history.reforme.titre} », non la loi" if history.reforme else ""
    highest = max([*heights, 1])
    slot = plot_width / max(len(history.periodes), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(history.nom)} : {escape(history.layout.titre_graphique)}{escape(reformed)}</title>",
        f'<text x="{left}" y="20" font-size="14" font-weight="bold">'
        f"{escape(history.nom)} — {escape(history.layout.titre_graphique)}{escape(reformed)}</text>",
        f'<line x1="{left}" y1="{top + plot_height}" x2="{left + plot_width}" y2="{top + plot_height}" stroke="#333"/>',
    ]
    for index, result in enumerate(history.periodes):
        x = left + index * slot + slot * 0.15
        bar = float(plot_height * result.hauteur / highest)
        y = top + plot_height - bar
        label = result.etiquette
        parts += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="{colour[result.regime.id]}"><title>{escape(result.periode)} : {escape(label)} '
            f"({escape(result.regime.id)})</title></rect>",
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{escape(label)}</text>',
            f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_height + 16}" text-anchor="middle">{escape(result.periode)}</text>',
            f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_height + 30}" text-anchor="middle" '
            f'fill="{colour[result.regime.id]}">{escape(result.regime.id)}</text>',
        ]
    for index, regime in enumerate(regimes):
        x, y = left, top + plot_height + 56 + 18 * index
        law = regime.loi.titre_court if regime.loi else regime.titre
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" fill="{colour[regime.id]}"/>'
            f'<text x="{x + 14:.1f}" y="{y}">{escape(regime.id)} : {escape(law)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
