"""The README's sample outputs are what the commands print today (``tests/readme_samples.py``)."""

from __future__ import annotations

import difflib

from readme_samples import README, render


def test_the_readme_samples_are_what_the_commands_print() -> None:
    current = README.read_text(encoding="utf-8")
    rendered = render(current)
    difference = "".join(
        difflib.unified_diff(current.splitlines(True), rendered.splitlines(True), "README.md", "commandes")
    )
    assert rendered == current, (
        "les exemples du README ne sont plus ce qu'impriment les commandes ;"
        f" .venv/bin/python tests/readme_samples.py --ecrire les réécrit :\n{difference}"
    )


def test_a_stale_sample_is_seen() -> None:
    stale = "```\n$ cms-law evaluate examples/commune_depliant_dhup.yaml\nCommune : Autre\n…\n```\n"
    assert render(stale) == "```\n$ cms-law evaluate examples/commune_depliant_dhup.yaml\nCommune : Commune du dépliant DHUP\n…\n```\n"
