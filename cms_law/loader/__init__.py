"""Loading and validating the rule files of ``rules/`` into the frozen :class:`~cms_law.model.RuleBook`.

The rule files ship inside the package (as ``cms_law.rules``) and are read from there, never from
the current directory. They are read in ordered steps, each in its module, each file parsed once:

1. :mod:`.laws` — ``lois.yaml``: the laws, the regimes, how a period is read;
2. :mod:`.articles` — ``<code>/<article>/<date>.yaml``: each article version's text, alinéa by alinéa;
3. :mod:`.vocabulary` — ``vocabulaire.yaml``: input fields, variables, outputs, summaries;
4. :mod:`.rules` — each article version's rules, parameters, conventions, checks, derogations…;
5. :mod:`.checks` — the whole book: unknown names, templates, overlapping versions, cycles.

Everything is checked at load time, and each problem is a :class:`~cms_law.errors.RuleFileError`
naming the file and the rule (:mod:`.reader` reads every mapping strictly). The format is
documented in ``rules/README.md``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import RuleBook
from . import cache
from .articles import ArticleFile, load_articles
from .checks import SUMMARY_VIEWS, check_book, output_keys, template_names
from .laws import Laws, load_laws
from .reader import NUMBER_TYPES, SAFE_LOADER, TYPES, fingerprint
from .rules import AGGREGATE_SCOPES, ArticleRules, load_article_rules
from .vocabulary import SUMMARIES, Vocabulary, load_vocabulary

if TYPE_CHECKING:  # annotations only (see rules_root)
    from importlib.resources.abc import Traversable

__all__ = [
    "AGGREGATE_SCOPES",
    "NUMBER_TYPES",
    "SAFE_LOADER",
    "SUMMARIES",
    "SUMMARY_VIEWS",
    "TYPES",
    "load_rulebook",
    "load_rulebook_from",
    "output_keys",
    "rules_root",
    "template_names",
]


def rules_root() -> Traversable:
    """The folder of rule files installed with the package."""
    # Always files on disk (the package's C engine cannot be imported from an archive), so its
    # folder is the package's: importlib.resources, whose import (tempfile, shutil) cost about
    # 15 ms at every start, is not needed.
    from ..rules import __file__ as package_file

    return Path(package_file).parent


@functools.cache
def load_rulebook() -> RuleBook:
    """Load and validate the rule files shipped with the package (once per process)."""
    return load_rulebook_from(rules_root())


def load_rulebook_from(root: Traversable | str | os.PathLike[str]) -> RuleBook:
    """Load and validate the rule files under ``root`` (a folder laid out like ``rules/``, or its
    path): the one entry point for any rules folder, the package's or a user's."""
    if isinstance(root, (str, os.PathLike)):
        root = Path(root)
    files: dict[str, bytes] = {}
    laws = load_laws(root, files)
    articles = load_articles(root, laws.lois, files)
    vocabulary = load_vocabulary(root, files)
    rules = load_article_rules(articles)
    empreinte = fingerprint(files)
    book = _rule_book(laws, articles, vocabulary, rules, empreinte)
    # The same files, checked by the same code, pass the same checks (see .cache).
    if not cache.checked(empreinte):
        check_book(book)
        cache.mark_checked(empreinte)
    return book


def _rule_book(
    laws: Laws, articles: tuple[ArticleFile, ...], vocabulary: Vocabulary, rules: ArticleRules, empreinte: str
) -> RuleBook:
    return RuleBook(
        empreinte=empreinte,
        lois=laws.lois,
        regimes=laws.regimes,
        articles=tuple(article.version for article in articles),
        variables=vocabulary.variables,
        entrees=vocabulary.entrees,
        entrees_epci=vocabulary.entrees_epci,
        entrees_contrat=vocabulary.entrees_contrat,
        entrees_contrat_commune=vocabulary.entrees_contrat_commune,
        entrees_arrondissement=vocabulary.entrees_arrondissement,
        tableau_contrat=vocabulary.tableau_contrat,
        verifications=rules.verifications,
        contexte=vocabulary.contexte,
        parametres=rules.parametres,
        conventions=rules.conventions,
        regles=rules.regles,
        controles=rules.controles,
        sorties=vocabulary.sorties,
        syntheses=vocabulary.syntheses,
        bilan=vocabulary.bilan,
        historique=vocabulary.historique,
        periode=laws.periode,
        derogations=rules.derogations,
        agregats=rules.agregats,
        derogations_epci=rules.derogations_epci,
    )
