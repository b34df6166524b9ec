"""Names on the site: the anchor of each alinéa, rule, derogation, name, case and source, and the
titles a reader knows them by (``VII, 1°``, « Article L. 302-8 — version du 23 février 2022 »).
"""

from __future__ import annotations

import datetime as dt

from ..french import french
from ..model import Alinea, ArticleVersion, Citation, Derogation, Period, Rule

def version_path(version: ArticleVersion) -> str:
    """``cch/L302-8/2022-02-23``: the version's rule file, which also names its pages."""
    return version.fichier.removesuffix(".yaml")


def _label(*parts: str) -> str:
    return "-".join(parts).replace("/", "-").replace(" ", "-")


def alinea_label(version: ArticleVersion, alinea: Alinea) -> str:
    return _label("alinea", version_path(version), alinea.id)


def rule_label(rule: Rule) -> str:
    return _label("regle", rule.id, rule.validite.debut.isoformat())


def derogation_label(derogation: Derogation) -> str:
    return _label("derogation", derogation.id, derogation.validite.debut.isoformat())


def name_label(name: str) -> str:
    return _label("nom", name)


def case_label(case_id: str) -> str:
    return _label("cas", case_id)


def schema_label(name: str) -> str:
    return _label("schema", name)


def source_label(version: ArticleVersion, source: str) -> str:
    return _label("source", version_path(version), source)


def alinea_title(version: ArticleVersion, alinea: Alinea) -> str:
    """How a reader designates the alinéa within its article: ``VII, 1°``, ``I, al. 2``, ``VI (suite)``.

    The short citation form of explanations, without the article; an alinéa split by provenance
    (``VI.suite``, ``I.al4.fin``) keeps the last part of its id, or it would read like its first part.
    """
    title = Citation(version, alinea).court.removeprefix(version.article).removeprefix(", ")
    if not title and alinea.alinea is not None:
        title = f"al. {alinea.alinea}"
    last = alinea.id.split(".")[-1]
    if last not in (alinea.section, alinea.item, f"al{alinea.alinea}"):
        title = f"{title} ({last})" if title else last
    return title


def alinea_reference(version: ArticleVersion, alinea: Alinea) -> str:
    return f"{version.article}, {alinea_title(version, alinea)}"


def version_title(version: ArticleVersion) -> str:
    return f"Article {version.article} — version du {french(version.validite.debut, 'date')}"


def period_text(period: Period) -> str:
    if period.fin is None:
        return f"depuis le {french(period.debut, 'date')} (aucune fin connue)"
    return f"du {french(period.debut, 'date')} au {french(period.fin, 'date')}"


def rule_key(rule: Rule | Derogation) -> tuple[str, dt.date]:
    """A rule's (or derogation's) identity across versions: an id may come back with another validity."""
    return rule.id, rule.validite.debut
