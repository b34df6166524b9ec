"""Fuzzing of rule folders (issue 12, part 6): mutated copies of the shipped ``rules/`` — bad UTF-8,
deep nesting, huge literals, YAML aliases, bad patterns, duplicate conclusions, truncated files,
random text — loaded through ``load_rulebook_from`` and in a subprocess. Every outcome is a loaded
book or a French ``RuleFileError`` naming a file, never a traceback, a crash or a hang.

The short profile runs with the suite; ``python tests/test_rule_folders_fuzz.py --exemples 500``
runs a long one and prints its figures (folders tried, refused, loaded, crashes, hangs).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from cms_law import RuleFileError  # noqa: E402
from cms_law.errors import MESSAGE_LIMIT  # noqa: E402
from cms_law.loader import load_rulebook_from, rules_root  # noqa: E402
from fuzzing import SHORT, Outcomes  # noqa: E402

SHIPPED = Path(str(rules_root()))
FILES = sorted(str(path.relative_to(SHIPPED)) for path in SHIPPED.rglob("*.yaml"))
RULE = "  - id: L302-8.VII.al1\n"
MOTIF = '    motif: "(?:[0-9]{2}|2A|2B)[0-9]{3}"\n'
#: A guard against hangs for one folder in a subprocess (not a measure of speed).
HANG_SECONDS = 60

_REGEX_ATOMS = ["a", "[0-9]", ".", "\\d", "(a+)+", "(a|a)*", "\\1", "(?=a)", "(?!b)", "a{2,5}", "a{1,100000}",
                "*", "+", "?", "|", "(", ")", "[", "]", "(?:", "(?P<x>a)", "(?P=x)", "$", "^", "\\"]
_CONDITIONS = ["rattrapage_exige", "non rattrapage_exige", "rattrapage_exige et ecart_retenu > 5 %", "vrai",
               "ecart_retenu >= ecart_seuil_bas", "fourni(ecart_retenu)", "faux"]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str, bytes | str]:
    """(kind, file, new content): one hostile change to one file of the shipped folder."""
    kind = draw(st.sampled_from(
        ["utf8", "nesting", "literal", "aliases", "motif", "conclusion", "truncated", "text", "template"]
    ))
    name = draw(st.sampled_from(FILES))
    original = (SHIPPED / name).read_bytes()
    if kind == "utf8":
        at = draw(st.integers(0, len(original)))
        bad = draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xfe\xff"]))
        return kind, name, original[:at] + bad + original[at:]
    if kind == "truncated":
        return kind, name, original[: draw(st.integers(0, len(original)))]
    text = original.decode("utf-8")
    if kind == "nesting":
        depth = draw(st.integers(10, 20_000))
        flow = draw(st.booleans())
        nested = "[" * depth + "]" * depth if flow else "".join(f"\n{'  ' * i}n{i}:" for i in range(1, min(depth, 400)))
        return kind, name, text + f"\nprofond: {nested} 1\n"
    if kind == "aliases":
        width, depth = draw(st.integers(1, 12)), draw(st.integers(1, 40))
        lines = ['z0: &z0 ["' + "x" * draw(st.integers(0, 2000)) + '"]']
        lines += [f"z{i}: &z{i} [{', '.join([f'*z{i - 1}'] * width)}]" for i in range(1, depth)]
        return kind, name, text + "\n" + "\n".join(lines) + "\n"
    if kind == "motif":
        pattern = "".join(draw(st.lists(st.sampled_from(_REGEX_ATOMS), min_size=1, max_size=12)))
        name = "vocabulaire.yaml"
        text = (SHIPPED / name).read_text(encoding="utf-8")
        return kind, name, text.replace(MOTIF, f"    motif: {json.dumps(pattern)}\n")
    name = "cch/L302-8/2022-02-23.yaml"
    text = (SHIPPED / name).read_text(encoding="utf-8")
    if kind == "literal":
        digits = "9" * draw(st.integers(1, 6000))
        place = draw(st.sampled_from(["si", "alors", "arrondi"]))
        formula = {"si": f"ecart_retenu > {digits}", "alors": f"{digits} %", "arrondi": f"arrondi(ecart_retenu, \"superieur\", {digits})"}[place]
        key = "    si: rattrapage_exige\n" if place != "alors" else "      taux_rattrapage: taux_rattrapage_general\n"
        new = key.split(":")[0] + f": {json.dumps(formula)}\n"
        return kind, name, text.replace(key, new, 1)
    if kind == "conclusion":
        condition, value = draw(st.sampled_from(_CONDITIONS)), draw(st.sampled_from(["0 %", "taux_rattrapage_general"]))
        return rival_rule(condition, value, exception=draw(st.booleans()))
    if kind == "template":
        spec = draw(st.sampled_from(["", ":300000000", ":>12", "!r", ":{x}", ":.5", ":^41", ":x<40"]))
        return kind, name, text.replace("son taux cible ({ecart_retenu})", "son taux cible ({ecart_retenu" + spec + "})", 1)
    line = draw(st.integers(0, text.count("\n")))
    lines = text.split("\n")
    lines.insert(line, draw(st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)))
    return kind, name, "\n".join(lines)


def rival_rule(condition: str, value: str, exception: bool) -> tuple[str, str, str]:
    """A rule concluding taux_rattrapage beside L302-8.VII.al1, under ``condition``, as its
    exception or not: without, both may apply and disagree, a conflict."""
    name = "cch/L302-8/2022-02-23.yaml"
    rival = (f"  - id: essai.rivale\n    titre: Rivale\n    cite: [VII.al1]\n    si: {json.dumps(condition)}\n"
             f"    alors:\n      taux_rattrapage: {json.dumps(value)}\n"
             + ("    exception_de: L302-8.VII.al1\n" if exception else "")
             + "    explication: rivale\n\n")
    return "conclusion", name, (SHIPPED / name).read_text(encoding="utf-8").replace(RULE, rival + RULE, 1)


def _write(folder: Path, mutation: tuple[str, str, bytes | str]) -> None:
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__"))
    _, name, content = mutation
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def in_process(mutation: tuple[str, str, bytes | str], folder: Path) -> str:
    _write(folder, mutation)
    try:
        load_rulebook_from(folder)
    except RuleFileError as error:
        message = str(error)
        if not error.fichier or not message.startswith(error.fichier) or len(message) > MESSAGE_LIMIT + 300:
            return "message mal formé"
        return "refusé"
    except Exception as error:  # noqa: BLE001 - what the fuzzer looks for
        return f"plantage {type(error).__name__}"
    return "chargé"


#: The subprocess loads the folder, evaluates the leaflet's commune and prints its objective, or
#: prints the French error, as the command line does (cli.main): a folder refused at load, or an
#: error met evaluating the commune — two rules that both apply and disagree, which no check at
#: load can always see, is such an error, naming both.
_COMMAND = """
import sys
from cms_law import CmsLawError, RuleFileError, evaluate
from cms_law.loader import load_rulebook_from
from conftest import commune
try:
    book = load_rulebook_from(sys.argv[1])
except RuleFileError as error:
    print(f"cms-law : fichiers de règles invalides : {error}", file=sys.stderr)
    sys.exit(3)
try:
    print(evaluate(commune(), rulebook=book)["objectif_triennal"])
except CmsLawError as error:
    print(f"cms-law : erreur d'évaluation : {error}", file=sys.stderr)
    sys.exit(3)
"""


def through_a_subprocess(mutation: tuple[str, str, bytes | str], folder: Path) -> str:
    _write(folder, mutation)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _COMMAND, str(folder)],
            capture_output=True, text=True, timeout=HANG_SECONDS, cwd=Path(__file__).parent,
        )
    except subprocess.TimeoutExpired:
        return "blocage"
    if "Traceback" in done.stderr or done.returncode not in (0, 1, 3):
        return f"plantage {done.returncode}"
    if done.returncode == 3 and not ("fichiers de règles invalides" in done.stderr or "erreur d'évaluation" in done.stderr):
        return "message mal formé"
    return "refusé" if done.returncode == 3 else "chargé"


OUTCOMES = Outcomes("chargé", "refusé")
_SHORT = settings(SHORT, max_examples=30)


@_SHORT
@given(mutations())
def test_mutated_rule_folders_in_process(mutation: tuple[str, str, bytes | str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        OUTCOMES.check(in_process(mutation, Path(directory) / "regles"))


@settings(_SHORT, max_examples=4)
@given(mutations())
# Two rules that both apply and disagree on the commune, unseen at load: a French error naming
# both, not a traceback (found by this test in CI).
@example(rival_rule("fourni(ecart_retenu)", "0 %", exception=False))
def test_mutated_rule_folders_in_a_subprocess(mutation: tuple[str, str, bytes | str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        OUTCOMES.check(through_a_subprocess(mutation, Path(directory) / "regles"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Fuzzing des dossiers de règles, profil long")
    parser.add_argument("--exemples", type=int, default=500, help="dossiers essayés en processus (défaut : 500)")
    parser.add_argument("--commande", type=int, default=40, help="dossiers essayés dans un sous-processus (défaut : 40)")
    arguments = parser.parse_args()
    for name, test, count in (
        ("en processus", test_mutated_rule_folders_in_process, arguments.exemples),
        ("dans un sous-processus", test_mutated_rule_folders_in_a_subprocess, arguments.commande),
    ):
        tally, seconds = OUTCOMES.count(test, mutations(), count)
        crashes = sum(n for outcome, n in tally.items() if outcome.startswith("plantage"))
        print(f"{name} : {sum(tally.values())} dossiers essayés en {seconds:.0f} s ; chargés {tally['chargé']},"
              f" refusés {tally['refusé']}, plantages {crashes}, blocages {tally['blocage']},"
              f" messages mal formés {tally['message mal formé']} ({dict(tally)})")


if __name__ == "__main__":
    main()
