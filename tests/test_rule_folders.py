"""Hostile rule folders (issue 12, part 5): each is refused at load with a French error naming the
file, the line and, where there is one, the rule — never a traceback, a hang or a huge message.

A rule folder is data a user may send (``load_rulebook_from``, ``--regles``): reading and checking
it stays bounded. The limits are those of ``rules/README.md`` (« Limites »).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cms_law import RuleFileError, evaluate
from cms_law.errors import MESSAGE_LIMIT
from cms_law.expressions import ExpressionSyntaxError, parse
from cms_law.loader import load_rulebook_from, rules_root
from cms_law.loader.overlaps import find_overlaps
from cms_law.loader.reader import MAX_FILE_BYTES, MAX_NESTING
from conftest import commune

L302_8 = "cch/L302-8/2022-02-23.yaml"
#: The line of « - id: L302-8.VII.al1 » in the shipped file, and of its « si: ».
RULE_VII_AL1 = "  - id: L302-8.VII.al1\n"
SI_VII_AL1 = "    si: rattrapage_exige\n    alors:\n      taux_rattrapage: taux_rattrapage_general\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "regles"
    shutil.copytree(Path(str(rules_root())), root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text)].count("\n") + 1


def replace(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, old
    path.write_text(content.replace(old, new), encoding="utf-8")


def refused(root: Path, *fragments: str) -> str:
    """Load ``root``: it must be refused quickly, with a bounded message containing ``fragments``."""
    start = time.perf_counter()
    with pytest.raises(RuleFileError) as raised:
        load_rulebook_from(root)
    elapsed = time.perf_counter() - start
    message = str(raised.value)
    assert len(message) < MESSAGE_LIMIT + 300, len(message)
    for fragment in fragments:
        assert fragment in message, message
    assert elapsed < 30, elapsed  # a guard against hangs, not a speed measure
    return message


def test_a_file_not_in_utf8_is_refused_naming_file_and_line(folder: Path) -> None:
    path = folder / L302_8
    line = line_of(path, RULE_VII_AL1) + 1
    raw = path.read_bytes().replace("Objectif de rattrapage de droit commun".encode(), "Objectif ".encode() + b"\xe9")
    path.write_bytes(raw)
    refused(folder, L302_8, f"ligne {line}", "UTF-8", "0xe9")


def test_a_file_too_large_is_refused_before_being_parsed(folder: Path) -> None:
    path = folder / "cch/L302-8/2030-01-01.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES)
    refused(folder, "cch/L302-8/2030-01-01.yaml", "fichier trop grand")


def test_nesting_beyond_the_limit_is_refused_without_building_it(folder: Path) -> None:
    """100 000 nested « [ » crashed the process in libyaml's composer."""
    path = folder / L302_8
    path.write_text(path.read_text(encoding="utf-8") + "\nprofond: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    refused(folder, L302_8, f"imbrication de plus de {MAX_NESTING} niveaux", "ligne ")


def test_an_alias_bomb_is_refused_with_a_short_message(folder: Path) -> None:
    """A 20 KB file of aliases expanding to billions of values (it gave a 398 MB error message)."""
    lines = ['a0: &a0 ["' + "x" * 100 + '"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 40)]
    text = "\n".join(lines) + "\n"
    (folder / "lois.yaml").write_text(text + "#" * max(0, 20_000 - len(text)) + "\n", encoding="utf-8")
    message = refused(folder, "lois.yaml", "alias YAML développés", "ligne ")
    assert len(message) < 300


def test_a_recursive_alias_is_refused(folder: Path) -> None:
    (folder / "lois.yaml").write_text("lois: &x\n  - *x\n", encoding="utf-8")
    refused(folder, "lois.yaml", "alias YAML à l'intérieur de ce qu'il désigne", "ligne 1")


def test_a_duplicate_key_is_refused_naming_both_lines(folder: Path) -> None:
    path = folder / L302_8
    line = line_of(path, SI_VII_AL1)
    replace(path, SI_VII_AL1, SI_VII_AL1.replace("    si: rattrapage_exige\n", "    si: rattrapage_exige\n    si: vrai\n"))
    refused(folder, L302_8, f"ligne {line + 1}", "« 'si' » en double", f"déjà ligne {line}")


def test_an_id_given_to_two_things_in_a_file_is_refused_naming_its_line(folder: Path) -> None:
    """A citation, a trace line or a case names a rule, derogation or verification by its id: in one
    file, one id is one thing."""
    path = folder / L302_8
    verification = "  - id: L302-8.IX.al5.derogation-duree-accordee\n"
    line = line_of(path, verification)
    replace(path, verification, "  - id: L302-8.IX.al5.derogation-duree\n")
    refused(folder, L302_8, f"ligne {line}", "verifications.L302-8.IX.al5.derogation-duree",
            "identifiant en double (déjà dans « regles »)")


def test_an_impossible_date_is_refused_by_line(folder: Path) -> None:
    path = folder / L302_8
    replace(path, "  debut: 2022-02-23\n", "  debut: 2022-02-30\n")
    refused(folder, L302_8, "date impossible", "'2022-02-30'", f"ligne {line_of(path, '  debut: 2022-02-30')}")


@pytest.mark.parametrize(
    "condition,said",
    [
        ("(" * 100 + "vrai" + ")" * 100, "trop imbriquée"),
        ("1" * 1500 + " > 0", "nombre de 1500 chiffres"),
        ("x" * 3000, "expression trop longue"),
        ("arrondi(ecart_retenu, \"superieur\", 1000000000) > 0", "décimales"),
    ],
)
def test_expressions_beyond_the_language_bounds_name_file_rule_and_line(folder: Path, condition: str, said: str) -> None:
    path = folder / L302_8
    line = line_of(path, SI_VII_AL1)
    replace(path, SI_VII_AL1, SI_VII_AL1.replace("rattrapage_exige", json.dumps(condition)))
    message = refused(folder, L302_8, f"ligne {line}", "règle L302-8.VII.al1", said)
    assert len(message) < 600, message


def test_the_expression_parser_never_recurses_without_bound() -> None:
    for source in ("(" * 10_000 + "1", "non " * 10_000 + "vrai", "- " * 10_000 + "1", "min(" * 10_000 + "1"):
        with pytest.raises(ExpressionSyntaxError):
            parse(source[:2000])


@pytest.mark.parametrize(
    "template,said",
    [
        ("{ecart_retenu:300000000}", "format « 300000000 »"),
        ("{ecart_retenu:>999}", "refusé"),
        ("{ecart_retenu!r}", "conversion non admise"),
        ("{ecart_retenu:{taux_rattrapage}}", "refusé"),
        ("accolade { ouverte", "mal formé"),
    ],
)
def test_explanation_templates_are_bounded(folder: Path, template: str, said: str) -> None:
    """A width of 300 000 000 built 300 MB of text at every evaluation."""
    path = folder / L302_8
    old = "      L'écart de la commune à son taux cible ({ecart_retenu}) dépasse {ecart_seuil_haut} et elle\n"
    replace(path, old, "      " + template + "\n")
    refused(folder, L302_8, "règle L302-8.VII.al1", f"ligne {line_of(path, RULE_VII_AL1.lstrip(' -'))}", said)


def test_a_modest_width_in_a_template_is_accepted(folder: Path) -> None:
    path = folder / L302_8
    old = "      L'écart de la commune à son taux cible ({ecart_retenu}) dépasse {ecart_seuil_haut} et elle\n"
    replace(path, old, "      L'écart ({ecart_retenu:>12}) dépasse {ecart_seuil_haut} et elle\n")
    book = load_rulebook_from(folder)
    assert evaluate(commune(), rulebook=book)["objectif_triennal"] == 165


@pytest.mark.parametrize(
    "pattern,said",
    [
        ("(a+)+$", "répétition"),
        ("(a|a)*b", "répétition"),
        ("(\\\\w)\\\\1", "référence arrière"),
        ("(?=a)a", "anticipation"),
        ("(a?){30}a{30}", "répétition dans une répétition"),
        ("[0-9]*[0-9]*[0-9]*", "3 répétitions"),
        ("(?:2|2)" * 12, "alternatives"),
        ("(", "invalide"),
    ],
)
def test_input_patterns_that_can_backtrack_catastrophically_are_refused(folder: Path, pattern: str, said: str) -> None:
    """One such pattern took 8 s on a 29-character code."""
    path = folder / "vocabulaire.yaml"
    old = '    motif: "(?:[0-9]{2}|2A|2B)[0-9]{3}"\n'
    line = line_of(path, old)
    replace(path, old, f'    motif: "{pattern}"\n')
    refused(folder, "vocabulaire.yaml", "motif refusé", said, f"ligne {line}")


def test_more_rules_in_force_than_the_engine_takes_are_refused_at_load(folder: Path) -> None:
    """Between 278 and 298 rules in force the engine answered « error code 108 » at the first
    evaluation: the capacity is now checked for every day a rule starts, when the folder loads."""
    path = folder / L302_8
    names = "".join(f"  essai_{i}:\n    type: entier\n    libelle: maillon {i}\n" for i in range(450))
    replace(folder / "vocabulaire.yaml", "\nvariables:\n", "\nvariables:\n" + names)
    rules = "".join(
        f"  - id: essai.{i}\n    titre: maillon {i}\n    cite: [VII.al1]\n"
        f"    alors: {{essai_{i}: '{'residences_principales' if i == 0 else f'essai_{i - 1} + 1'}'}}\n"
        f"    explication: maillon\n"
        for i in range(450)
    )
    replace(path, "\nregles:\n", "\nregles:\n" + rules)
    refused(folder, "règles en vigueur le", "le moteur en admet au plus 400")


def test_two_rules_concluding_a_name_under_the_same_condition_are_refused_at_load(folder: Path) -> None:
    path = folder / L302_8
    twin = RULE_VII_AL1.replace("L302-8.VII.al1", "L302-8.VII.jumelle")
    block = (
        twin + "    titre: Jumelle\n    cite: [VII.al1]\n    si: rattrapage_exige\n"
        "    alors:\n      taux_rattrapage: '0 %'\n    explication: jumelle\n\n"
    )
    replace(path, RULE_VII_AL1, block + RULE_VII_AL1)
    refused(folder, L302_8, "règle L302-8.VII.al1", "« taux_rattrapage »", "L302-8.VII.jumelle", "exception_de")


def _with_rival(folder: Path, condition: str) -> None:
    block = (
        "  - id: L302-8.VII.rivale\n    titre: Rivale\n    cite: [VII.al1]\n"
        f"    si: {json.dumps(condition)}\n    alors:\n      taux_rattrapage: '0 %'\n      situation_vii: '\"premier_alinea\"'\n"
        "    explication: rivale\n\n"
    )
    replace(folder / L302_8, RULE_VII_AL1, block + RULE_VII_AL1)


def test_the_verifier_finds_a_witness_when_two_conditions_can_both_hold(folder: Path) -> None:
    _with_rival(folder, "rattrapage_exige et ecart_retenu > 5 %")
    book = load_rulebook_from(folder)
    found = [o for o in find_overlaps(book) if "L302-8.VII.rivale" in (o.premiere.id, o.seconde.id)]
    assert found and found[0].temoin is not None
    witness = found[0].temoin
    assert witness["rattrapage_exige"] is True and witness["ecart_retenu"] > 5 * 1 / 100


def test_the_verifier_proves_exclusive_conditions(folder: Path) -> None:
    """VII.al1 applies when a catch-up is required (« rattrapage_exige »): a rival that applies
    only when it is not can never conclude together with it."""
    _with_rival(folder, "non rattrapage_exige")
    book = load_rulebook_from(folder)
    assert not [o for o in find_overlaps(book) if "L302-8.VII.rivale" in (o.premiere.id, o.seconde.id)]


def test_rules_verifier_on_the_command_line(folder: Path) -> None:
    shipped = _cli("rules", "--verifier")
    assert shipped.returncode == 0, shipped.stderr
    assert "Aucune paire" in shipped.stdout
    _with_rival(folder, "rattrapage_exige et ecart_retenu > 5 %")
    code = (
        "import sys; from cms_law.loader import load_rulebook_from; from cms_law import cli;"
        f" cli.load_rulebook = lambda: load_rulebook_from({str(folder)!r}); sys.exit(cli.main(sys.argv[1:]))"
    )
    found = subprocess.run([sys.executable, "-c", code, "rules", "--verifier"], capture_output=True, text=True, timeout=120)
    assert found.returncode == 3, found.stderr
    assert "L302-8.VII.rivale" in found.stdout and "ecart_retenu = " in found.stdout


def test_a_missing_file_and_a_named_pipe_are_refused_not_waited_for(folder: Path) -> None:
    os.mkfifo(folder / "cch/L302-8/2030-01-01.yaml")
    refused(folder, "cch/L302-8/2030-01-01.yaml", "fichier ordinaire")
    (folder / "cch/L302-8/2030-01-01.yaml").unlink()
    (folder / "vocabulaire.yaml").unlink()
    refused(folder, "vocabulaire.yaml", "absent")


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cms_law", *arguments], capture_output=True, text=True, timeout=120
    )

