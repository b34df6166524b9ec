"""The stored law texts: the 3DS-era wording is the authentic consolidated one, its alinéas are
numbered as the code counts them, and nothing a user reads points at a file of the workplace."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cms_law import RuleFileError, load_rulebook
from cms_law.cli import main
from cms_law.model import ArticleVersion, Citation

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"
L302_8 = "cch/L302-8/2022-02-23.yaml"

#: The 3DS-era versions of this branch's articles (L. 302-5 is checked with its own texts).
AUTHENTIC_VERSIONS = (
    "cch/L302-8/2022-02-23.yaml",
    "cch/L302-8-1/2022-02-23.yaml",
    "cch/L302-9-1-1/2022-09-01.yaml",
    "cch/L302-7/2025-02-16.yaml",
)

#: How many alinéas each section has, paragraphs and items alike, in the consolidated text.
SECTION_SIZES = {
    "cch/L302-8/2022-02-23.yaml": {"I": 2, "II": 1, "III": 1, "IV": 1, "V": 1, "VI": 1, "VII": 6, "VIII": 4,
                                   "IX": 5, "X": 5},
    "cch/L302-8-1/2022-02-23.yaml": {"I": 5, "II": 3},
    "cch/L302-9-1-1/2022-09-01.yaml": {"I": 2, "II": 3, "III": 1},
    "cch/L302-7/2025-02-16.yaml": {None: 10},
}


def version(fichier: str) -> ArticleVersion:
    return next(v for v in load_rulebook().articles if v.fichier == fichier)


def court(fichier: str, alinea_id: str) -> str:
    stored = version(fichier)
    alinea = stored.alinea(alinea_id)
    assert alinea is not None, alinea_id
    return Citation(stored, alinea).court


def test_items_are_alineas_of_their_section_as_the_code_counts_them() -> None:
    """L. 302-8, VII, 1° is the third alinéa of VII; the last paragraph of IX is its fifth."""
    vii_1 = version(L302_8).alinea("VII.1°")
    assert vii_1 is not None and (vii_1.alinea, vii_1.item) == (3, "1°")
    assert court(L302_8, "VII.1°") == "L. 302-8, VII, 1° (al. 3)"
    assert court(L302_8, "VII.2°") == "L. 302-8, VII, 2° (al. 4)"
    assert court(L302_8, "VII.al5") == "L. 302-8, VII, al. 5"  # the préfet's raising
    assert court(L302_8, "IX.3°") == "L. 302-8, IX, 3° (al. 4)"
    assert court(L302_8, "IX.al5") == "L. 302-8, IX, al. 5"  # the derogation to the duration
    assert court(L302_8, "III.al1") == "L. 302-8, III"  # alone in its section
    assert court("cch/L302-7/2025-02-16.yaml", "al7") == "L. 302-7, al. 7"  # L. 302-7-1's « septième alinéa »


@pytest.mark.parametrize("fichier", sorted(SECTION_SIZES))
def test_every_paragraph_is_numbered_in_order_within_its_section(fichier: str) -> None:
    counted: dict[str | None, list[int]] = {}
    for alinea in version(fichier).alineas:
        assert alinea.alinea is not None, alinea.id
        counted.setdefault(alinea.section, []).append(alinea.alinea)
        # The id says the same: « VII.1° » for an item, « IX.al5 » for a paragraph, « al7 » without sections.
        expected = alinea.item or f"al{alinea.alinea}"
        assert alinea.id == (f"{alinea.section}.{expected}" if alinea.section else expected)
    assert {section: len(numbers) for section, numbers in counted.items()} == SECTION_SIZES[fichier]
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in counted.values())


@pytest.mark.parametrize("fichier", AUTHENTIC_VERSIONS)
def test_the_3ds_era_texts_are_authentic_and_name_a_public_source(fichier: str) -> None:
    stored = version(fichier)
    assert stored.debut_precision == "certaine"
    for alinea in stored.alineas:
        assert (alinea.provenance, alinea.complet) == ("authentique", True), alinea.id
        assert alinea.texte and alinea.source is not None
        description = stored.sources[alinea.source]
        assert "github.com/Ansvar-Systems/France-law-mcp" in description
        assert "data/seed/legitext000006074096.json" in description
        assert "30200143647ed3e85fe87d5a3b4e7fcdaf86f8ae" in description


def test_viii_rates_are_the_enacted_ones() -> None:
    """L. 302-8, VIII, al. 1: 15 % the first full period (the bill said 20 %), 25 % the second; al. 2: 10 %."""
    book = load_rulebook()
    day = dt.date(2023, 1, 1)
    rates = {p.nom: p for p in book.parametres if p.validite.contains(day)}
    expected = {
        "taux_rattrapage_premiere_periode_pleine": ("0.15", "L. 302-8, VIII, al. 1"),
        "taux_rattrapage_deuxieme_periode_pleine": ("0.25", "L. 302-8, VIII, al. 1"),
        "taux_rattrapage_entree_en_cours": ("0.1", "L. 302-8, VIII, al. 2"),
    }
    for name, (value, citation) in expected.items():
        assert str(float(rates[name].value_at(day))) == value  # type: ignore[arg-type]
        assert [c.court for c in rates[name].citations] == [citation]
    viii_1 = version(L302_8).alinea("VIII.al1")
    assert viii_1 is not None and "à 15 % du nombre" in (viii_1.texte or "") and "20 %" in (viii_1.note or "")


WORKPLACE = re.compile(r"/work/|shared/|INDEX\.md|HISTORY\.md|[Cc]opie de travail|\.PARTIAL\.txt")


def _user_read_files() -> list[Path]:
    """What a user reads: the rule files (shipped in the package), the READMEs and the docs' sources."""
    files = sorted(RULES.rglob("*.yaml"))
    cases = sorted((REPO / "tests" / "cas").glob("*.yaml"))  # their descriptions are shown on the docs site
    docs = [path for path in sorted((REPO / "docs").rglob("*.rst")) if "_generated" not in path.parts]
    return [*files, *cases, RULES / "README.md", REPO / "README.md", *docs]


@pytest.mark.parametrize("path", _user_read_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_text_a_user_reads_names_a_file_of_the_workplace(path: Path) -> None:
    found = [line for line in path.read_text(encoding="utf-8").splitlines() if WORKPLACE.search(line)]
    assert not found, f"{path.relative_to(REPO)} : {found}"


def test_no_explanation_or_source_of_the_book_names_a_file_of_the_workplace() -> None:
    book = load_rulebook()
    texts = [
        *(t for v in book.articles for t in (v.note or "", *v.sources.values())),
        *(a.note or "" for v in book.articles for a in v.alineas),
        *(r.explication for r in book.regles),
        *(c.justification for c in book.conventions.values()),
    ]
    assert not [text for text in texts if WORKPLACE.search(text)]


def _set_sans_calcul(alinea_id: str, value: Any):  # type: ignore[no-untyped-def]
    def change(data: dict[str, Any]) -> None:
        next(a for a in data["alineas"] if a["id"] == alinea_id)["sans_calcul"] = value

    return change


def test_an_alinea_said_to_produce_no_figure_cannot_be_encoded(rules_copy) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleFileError) as raised:
        rules_copy(L302_8, _set_sans_calcul("VII.al1", "rien à calculer"))
    message = str(raised.value)
    assert L302_8 in message and "VII.al1" in message and "sans_calcul" in message


def test_sans_calcul_must_say_why(rules_copy) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleFileError) as raised:
        rules_copy(L302_8, _set_sans_calcul("II.al1", ""))
    assert "sans_calcul" in str(raised.value) and "II.al1" in str(raised.value)


def test_every_alinea_of_the_3ds_versions_is_encoded_or_said_to_produce_no_figure() -> None:
    """VII, al. 6 of L. 302-8 (recalculated each period) is declared sans_calcul; VIII, al. 3 and 4 have rules."""
    book = load_rulebook()
    encoded = {
        (c.version.fichier, c.alinea.id)
        for citations in [
            *(r.citations for r in book.regles),
            *(d.fondements for d in (*book.derogations, *book.derogations_epci)),
            *(p.citations for p in book.parametres),
            *(c.interprete for c in book.conventions.values()),
        ]
        for c in citations
    }
    left = {
        (fichier, alinea.id)
        for fichier in AUTHENTIC_VERSIONS
        for alinea in version(fichier).alineas
        if (fichier, alinea.id) not in encoded and not alinea.sans_calcul
    }
    assert left == set()


def test_rules_json_lists_each_article_version_with_its_alineas() -> None:
    out = io.StringIO()
    assert main(["rules", "--format", "json"], stdout=out) == 0
    articles = {entry["fichier"]: entry for entry in json.loads(out.getvalue())["articles"]}
    ix_5 = next(a for a in articles[L302_8]["alineas"] if a["id"] == "IX.al5")
    assert ix_5 == {
        "id": "IX.al5", "citation": "L. 302-8, IX, al. 5", "section": "IX", "alinea": 5, "item": None,
        "provenance": "authentique", "source": "legi-consolide", "texte_complet": True, "sans_calcul": None,
    }
    assert "France-law-mcp" in articles[L302_8]["sources"]["legi-consolide"]
    assert articles["cch/L302-7/2025-02-16.yaml"]["validite"] == {"debut": "2025-02-16", "fin": None}
