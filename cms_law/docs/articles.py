"""The page of one article version: its text alinéa by alinéa, each with its provenance, and under
each everything in the rule files that cites it.
"""

from __future__ import annotations

from ..model import Alinea, ArticleVersion
from .labels import alinea_label, alinea_reference, name_label, source_label, version_title, period_text
from .markup import code, container, doc, esc, heading, indent, link, paragraphs, ref, target
from .rules import derogation_card, rule_card
from .site import Site

#: The Légifrance page of an article, from the LEGIARTI identifier of its version.
LEGIFRANCE = "https://www.legifrance.gouv.fr/codes/article_lc/{}"

#: The Légifrance page of an article, from the LEGIARTI identifier of its version.
LEGIFRANCE = "https://www.legifrance.gouv.fr/codes/article_lc/{}"


def version_page(site: Site, version: ArticleVersion) -> list[str]:
    """The text of one article version, alinéa by alinéa, each followed by what encodes it."""
    law = version.loi
    precision = "date de début certaine" if version.debut_precision == "certaine" else "date de début inférée"
    rules_page = site.rules_page(version)
    law_text = "non identifiée"
    if law is not None:
        law_text = esc(law.titre) + (f" (« {esc(law.nom_usuel)} »)" if law.nom_usuel else "")
    lines = [
        *heading(version_title(version), "=", overline=True),
        f":Code: {esc(version.code)}",
        f":En vigueur: {esc(period_text(version.validite))} — {precision}",
        f":Loi: {law_text}",
        ":Légifrance: "
        + (
            link(LEGIFRANCE.format(version.legifrance), f"article {version.article} ({version.legifrance})")
            if version.legifrance
            else "identifiant non connu : pas de lien"
        ),
        f":Fichier de règles: {code('rules/' + version.fichier)}",
        ":Encodage: "
        + (
            doc(rules_page, f"les {len(site.rules_of(version))} règles de cette version en détail")
            if rules_page
            else "aucune règle"
        ),
        "",
    ]
    if version.note:
        lines += [".. admonition:: Note sur cette version", "", *indent(paragraphs(version.note))]
    for alinea in version.alineas:
        lines += target(alinea_label(version, alinea))
        lines += heading(alinea_reference(version, alinea), "-")
        facts = [f":provenance:`{alinea.provenance}`"]
        if alinea.source:
            facts.append(f"source : {ref(source_label(version, alinea.source), alinea.source)}")
        if alinea.texte and not alinea.complet:
            facts.append("**extrait incomplet**")
        if version.legifrance:
            facts.append(link(LEGIFRANCE.format(version.legifrance), "texte sur Légifrance"))
        facts.append(f"identifiant dans les règles : {code(alinea.id)}")
        lines += [" · ".join(facts), ""]
        if alinea.texte:
            lines += container("texte-loi", paragraphs(alinea.texte))
        else:
            lines += container("texte-loi non-disponible", ["*Texte non disponible.*"])
        if alinea.note:
            lines += container("note-alinea", [f"**Note.** {esc(alinea.note)}"])
        lines += [".. rubric:: Encodage", "", *encoding_of(site, version, alinea)]
    if version.sources:
        lines += heading("Sources du texte", "-")
        for source, description in version.sources.items():
            lines += [*target(source_label(version, source)), f"**{esc(source)}** — {esc(description)}", ""]
    return lines


def encoding_of(site: Site, version: ArticleVersion, alinea: Alinea) -> list[str]:
    """Under an alinéa: everything in the rule files that cites it."""
    cited = site.citing(version, alinea)
    lines: list[str] = []
    for rule in cited["regles"]:
        lines += rule_card(site, rule, version)
    for derogation in cited["derogations"]:
        lines += derogation_card(site, derogation, version)
    for parameter in cited["parametres"]:
        line = (
            f"**Paramètre** {ref(name_label(parameter.nom), parameter.nom)} — {esc(parameter.titre)} : "
            f"{esc(site.parameter_values(parameter))}"
        )
        lines += container("parametre", [line])
    for convention in cited["conventions"]:
        line = (
            f"**Convention** {ref(name_label(convention.nom), convention.nom)} — {esc(convention.titre)}"
            f" ; par défaut : {code(convention.defaut)} ({esc(convention.options[convention.defaut])})"
        )
        lines += container("convention", [line])
    for check in cited["controles"]:
        lines += container(
            "controle",
            [
                f"**Contrôle de l'entrée** {code(check.champ)} : {code(check.condition.source)}",
                "",
                f"sinon l'entrée est refusée : {esc(check.message)}",
            ],
        )
    if not site.encodes(cited):
        lines += container(
            "non-encode",
            [
                "*Aucune règle, aucune dérogation, aucun paramètre ni aucune convention ne cite cet"
                " alinéa* "
                f"(voir {doc('couverture', 'la couverture')})."
            ],
        )
    return lines
