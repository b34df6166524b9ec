"""Step 2: the article versions, ``<code>/<article>/<date>.yaml`` — their text alinéa by alinéa,
with its provenance, and the citations that rule files make to it.

Each file is parsed once: its text is read here, and its contents are handed on (as
:class:`ArticleFile`) to the step that reads its rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import RuleFileError, quoted
from ..model import PROVENANCES, Alinea, ArticleVersion, Citation, Law
from .reader import MAX_ARTICLE_FILES, Reader, load_yaml, pairs

if TYPE_CHECKING:  # annotations only (see cms_law.loader.rules_root)
    from importlib.resources.abc import Traversable


_ALINEA_ID = re.compile(
    r"^(?:[IVX]+(?: bis| ter)?(?:\.(?:al\d+|\d+°)(?:\.[a-z]+)?|\.suite)?|al\d+|suite)$"
)


@attrs.frozen
class ArticleFile:
    """One article version as read from its file, and the file's contents, for its rules."""

    version: ArticleVersion
    data: Mapping[str, Any]
    #: The start of the version of the same article whose rules this one takes over (``reprend``).
    reprend: dt.date | None = None


def load_articles(
    root: Traversable, lois: Mapping[str, Law], read: dict[str, bytes] | None = None
) -> tuple[ArticleFile, ...]:
    """Every article version under ``root``, in file order; two versions of an article may not overlap."""
    files = []
    for name, resource in sorted(article_files(root), key=lambda item: item[0]):
        data = load_yaml(resource, name, read)
        version = _load_article_text(data, name, lois)
        taken_over = data["version"].get("reprend")
        if taken_over is not None:
            taken_over = Reader(name).date(taken_over, "version.reprend")
        files.append(ArticleFile(version, data, taken_over))
    check_article_versions(tuple(file.version for file in files))
    for file in files:
        if file.reprend is not None:
            check_taken_over(file, taken_over_file(file, files))
    return tuple(files)


def taken_over_file(file: ArticleFile, files: Iterable[ArticleFile]) -> ArticleFile:
    """The version whose rules ``file`` declares it takes over (``version.reprend``)."""
    found = [
        other for other in files
        if other.version.article == file.version.article and other.version.validite.debut == file.reprend
    ]
    if not found or found[0] is file:
        raise RuleFileError(
            file.version.fichier,
            f"version.reprend : aucune autre version de l'article {file.version.article} ne commence le {file.reprend}",
        )
    if found[0].reprend is not None:
        raise RuleFileError(
            file.version.fichier,
            f"version.reprend : {found[0].version.fichier} reprend lui-même une autre version ; "
            "reprendre directement celle qui porte les règles",
        )
    return found[0]


def check_taken_over(file: ArticleFile, source: ArticleFile) -> None:
    """A version takes over another's rules only where their texts agree: each alinéa of the
    source is stored in the taker under the same identifier, at the same place, with the same words,
    so that every rule taken over cites, in the taker, the very text it encodes."""
    for alinea in source.version.alineas:
        own = file.version.alinea(alinea.id)
        if own is None:
            raise RuleFileError(
                file.version.fichier,
                f"version.reprend : l'alinéa « {alinea.id} » de {source.version.fichier} manque dans cette version",
            )
        if (own.section, own.alinea, own.item, own.provenance, own.texte) != (
            alinea.section, alinea.alinea, alinea.item, alinea.provenance, alinea.texte
        ):
            raise RuleFileError(
                file.version.fichier,
                f"version.reprend : l'alinéa « {alinea.id} » diffère de celui de {source.version.fichier} "
                "(numéro, item, provenance ou texte) ; ses règles ne peuvent être reprises telles quelles",
            )


def article_files(root: Traversable) -> Iterable[tuple[str, Traversable]]:
    """Each rule file of an article version, by its path under ``root`` (``cch/L302-8/2022-02-23.yaml``);
    more than MAX_ARTICLE_FILES is an error (a folder is data a user may send)."""
    count = 0
    for code in sorted((entry for entry in root.iterdir() if entry.is_dir()), key=lambda e: e.name):
        if code.name.startswith(("_", ".")):
            continue
        for article in code.iterdir():
            if not article.is_dir():
                continue
            for version in article.iterdir():
                if version.name.endswith(".yaml"):
                    count += 1
                    if count > MAX_ARTICLE_FILES:
                        raise RuleFileError(code.name, f"plus de {MAX_ARTICLE_FILES} fichiers de versions d'articles")
                    yield f"{code.name}/{article.name}/{version.name}", version


def _load_article_text(data: Any, name: str, lois: Mapping[str, Law]) -> ArticleVersion:
    reader = Reader(name)
    data = reader.mapping(
        data,
        "fichier",
        ["article", "code", "version", "alineas"],
        ["sources", "parametres", "conventions", "regles", "controles", "derogations", "agregats", "derogations_epci",
         "verifications"],
    )
    version = reader.mapping(
        data["version"], "version", ["debut", "fin", "loi"], ["debut_precision", "legifrance", "note", "reprend"]
    )
    law_id = version["loi"]
    if law_id is not None and law_id not in lois:
        raise reader.error(f"version.loi : loi inconnue « {law_id} » (voir lois.yaml)")
    precision = version.get("debut_precision", "certaine")
    if precision not in ("certaine", "inferee"):
        raise reader.error("version.debut_precision : « certaine » ou « inferee » attendu")
    sources: dict[str, str] = {}
    for raw in reader.sequence(data.get("sources"), "sources"):
        source = reader.mapping(raw, "source", ["id", "description"])
        sources[reader.text(source["id"], "source.id")] = reader.text(
            source["description"], "source.description"
        )
    alineas = []
    for raw in reader.sequence(data["alineas"], "alineas"):
        alineas.append(_load_alinea(raw, name, sources))
    seen: set[str] = set()
    for alinea in alineas:
        if alinea.id in seen:
            raise RuleFileError(name, "alinéa défini deux fois", alinea.id)
        seen.add(alinea.id)
    return ArticleVersion(
        article=reader.text(data["article"], "article"),
        code=reader.text(data["code"], "code"),
        validite=reader.period(version["debut"], version["fin"]),
        debut_precision=precision,
        loi=lois.get(law_id) if law_id else None,
        legifrance=version.get("legifrance"),
        note=version.get("note"),
        sources=sources,
        alineas=tuple(alineas),
        fichier=name,
    )


def _load_alinea(raw: object, name: str, sources: Mapping[str, str]) -> Alinea:
    reader = Reader(name, raw.get("id") if isinstance(raw, Mapping) else None)
    data = reader.mapping(
        raw,
        "alinéa",
        ["id", "section", "provenance"],
        ["alinea", "item", "source", "complet", "texte", "note", "sans_calcul"],
    )
    alinea_id = reader.text(data["id"], "id")
    if not _ALINEA_ID.match(alinea_id):
        raise reader.error(f"identifiant d'alinéa invalide « {alinea_id} » (ex. : VII.al1, VII.1°, VIII)")
    provenance = data["provenance"]
    if provenance not in PROVENANCES:
        raise reader.error(f"provenance inconnue « {provenance} » (attendu : {', '.join(PROVENANCES)})")
    texte = data.get("texte")
    if provenance == "non_disponible" and texte:
        raise reader.error("un alinéa non disponible ne peut pas avoir de texte")
    if provenance != "non_disponible":
        texte = reader.text(texte, "texte")
    source = data.get("source")
    if source is not None and source not in sources:
        raise reader.error(f"source inconnue « {source} »")
    sans_calcul = data.get("sans_calcul")
    if sans_calcul is not None:
        sans_calcul = reader.text(sans_calcul, "sans_calcul")
    number = data.get("alinea")
    if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 1):
        raise reader.error(f"alinea : un entier positif est attendu, reçu {quoted(number)}")
    return Alinea(
        id=alinea_id,
        section=str(data["section"]) if data["section"] is not None else None,
        alinea=number,
        item=data.get("item"),
        provenance=provenance,
        source=source,
        complet=bool(data.get("complet", True)),
        texte=texte,
        note=data.get("note"),
        sans_calcul=sans_calcul,
    )


def check_article_versions(articles: tuple[ArticleVersion, ...]) -> None:
    """Two versions of the same article are never in force on the same day."""
    for first, second in pairs(list(articles)):
        if first.article == second.article and first.validite.overlaps(second.validite):
            raise RuleFileError(
                second.fichier, f"la validité chevauche celle de {first.fichier} ({first.article})"
            )


class CitationResolver:
    """Turns a rule file's reference (``VII.1°``, or ``{article, alinea}``) into a Citation."""

    def __init__(self, articles: tuple[ArticleVersion, ...]) -> None:
        self.articles = articles

    def __call__(self, reader: Reader, reference: object, article: ArticleVersion, day: dt.date) -> Citation:
        if isinstance(reference, str):
            target, alinea_id = article, reference
        elif isinstance(reference, Mapping):
            data = reader.mapping(reference, "citation", ["article", "alinea"])
            target_name, alinea_id = data["article"], data["alinea"]
            found = [
                version
                for version in self.articles
                if version.article == target_name and version.validite.contains(day)
            ]
            if not found:
                raise reader.error(f"citation : aucune version de l'article {target_name} en vigueur le {day}")
            target = found[0]
        else:
            raise reader.error(f"citation invalide {quoted(reference)}")
        alinea = target.alinea(str(alinea_id))
        if alinea is None:
            raise reader.error(
                f"citation : l'alinéa « {alinea_id} » n'est pas enregistré dans {target.fichier}"
            )
        return Citation(target, alinea)

    def many(
        self, reader: Reader, references: object, article: ArticleVersion, day: dt.date
    ) -> tuple[Citation, ...]:
        if references is None:
            return ()
        if not isinstance(references, list):
            references = [references]
        return tuple(self(reader, reference, article, day) for reference in references)
