"""Fuzzing the input documents and the Python API: a result or a documented error, nothing else.

Hypothesis draws commune, EPCI and contract documents — the fields the law reads with values of
every kind (huge and negative integers, non-finite floats, rates as « 25 % », 25 or 0.2500000001,
dates possible or not, quoted or not, texts, lists, nested mappings, unknown keys), written as
YAML (now and then with aliases, a key given twice, a BOM, a tag, a truncated end) or JSON, or
encoded in UTF-16 — and arguments of any Python type for ``periode``, ``date`` and
``conventions``. Through the Python API and through the command line in a subprocess, every
outcome must be a result that renders as text and JSON, or an :class:`~cms_law.InputError`
(exit 1; exit 5 for a contract found unlawful) — never another exception, a traceback, a hang
(each example is bounded in time) or an undocumented exit code.

A short profile runs with the test suite. The long one is run on demand and prints its figures
(inputs tried, crashes, hangs) instead of stopping at the first failure::

    .venv/bin/python tests/test_inputs_fuzz.py --exemples 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_law import InputError, evaluate
from cms_law.contract import check_contract
from cms_law.documents import read_document
from cms_law.epci import evaluate_epci
from fuzzing import SHORT, Hang, Outcomes, bounded

EXAMPLES = Path(__file__).parent.parent / "examples"
#: Seconds an example may take in process (a few evaluations, and the slack of a loaded machine).
EXAMPLE_SECONDS = 20
#: 0 a result; 1 invalid input; 5 a contract not lawful.
DOCUMENTED_EXITS = {0, 1, 5}
KINDS = {
    "commune": (evaluate, "evaluate", "commune_depliant_dhup.yaml"),
    "epci": (evaluate_epci, "evaluate-epci", "epci_depliant_dhup.yaml"),
    "contrat": (check_contract, "check-contract", "contrat_depliant_abaissant.yaml"),
}

_scalars = st.one_of(
    st.integers(-5, 20_000),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from(["25 %", "20 %", "0,25", "25", "0.2500000001", "douze", "", " ", "1 000", "1e5", "-0",
                     "2023-02-30", "2023-13-01", "2024-03-15", "15/03/2024", "99001", "2A004", "oui", "x" * 500]),
    st.text(max_size=20),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


@attrs.frozen
class Drawn:
    kind: str
    data: bytes
    suffix: str


def _example(kind: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / KINDS[kind][2]).read_text("utf-8"))  # type: ignore[no-any-return]


def _mutated(draw: Callable[..., Any], mapping: dict[str, Any]) -> dict[str, Any]:
    """Some of the mapping's fields given other values, removed, or joined by unknown ones."""
    result = dict(mapping)
    # An empty mapping (a member written « {} ») has no field to change, only unknown ones to gain.
    for key in draw(st.lists(st.sampled_from(sorted(result)), max_size=2, unique=True)) if result else ():
        if draw(st.booleans()):
            result[key] = draw(_values)
        else:
            del result[key]
    if draw(st.integers(0, 4)) == 0:  # an unknown key spoils the whole file: now and then only
        result[draw(st.text(max_size=10))] = draw(_values)
    return result


def _yaml_text(draw: Callable[..., Any], document: Any) -> str:
    """YAML as a user writes it: now and then a date unquoted, a key twice, aliases, a tag."""
    try:
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, OverflowError):
        text = "nom: A\n"
    text = text.replace("'2023-02-30'", "2023-02-30").replace("'2024-03-15'", "2024-03-15")
    trick = draw(st.sampled_from(["", "duplicate", "alias", "bomb", "tag", "truncate", "deep", "bom"]))
    if trick == "duplicate":
        text += text.splitlines()[0] + "\n" if text.strip() else ""
    elif trick == "alias":
        text = "ancre: &a {plh: true}\n" + text + "autre: *a\n"
    elif trick == "bomb":
        text += "a0: &a0 [x, x, x, x, x, x, x, x]\n" + "".join(
            f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 8)}]\n" for n in range(1, 8)
        )
    elif trick == "tag":
        text += "objet: !!python/object/apply:os.getcwd []\n"
    elif trick == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif trick == "deep":
        text += "profond: " + "[" * 200 + "]" * 200 + "\n"
    elif trick == "bom":
        text = "\ufeff" + text
    return text


@st.composite
def documents(draw: Callable[..., Any]) -> Drawn:
    kind = draw(st.sampled_from(sorted(KINDS)))
    document: Any = _mutated(draw, _example(kind))
    if kind != "commune" and isinstance(document.get("communes"), list) and draw(st.booleans()):
        document["communes"] = [
            _mutated(draw, member) if isinstance(member, dict) else member for member in document["communes"]
        ]
    if draw(st.integers(0, 9)) == 0:
        document = draw(_values)  # not even a mapping
    form = draw(st.sampled_from(["yaml", "yaml", "json", "utf-16", "bytes"]))
    if form == "json":
        data = json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")
        return Drawn(kind, data, ".json")
    if form == "bytes":
        return Drawn(kind, draw(st.binary(max_size=200)), ".yaml")
    text = _yaml_text(draw, document)
    return Drawn(kind, text.encode("utf-16" if form == "utf-16" else "utf-8", errors="surrogatepass"), ".yaml")


def _outcome(call: Callable[[], Any]) -> str:
    """``"résultat"``, ``"erreur"`` (an InputError), ``"plantage"`` (any other exception) or ``"blocage"``."""
    try:
        with bounded(EXAMPLE_SECONDS):
            result = call()
            result.texte()
            result.to_json()
    except InputError as error:
        str(error)
        return "erreur"
    except Hang:
        return "blocage"
    except Exception:  # noqa: BLE001 - what the fuzzer looks for
        if OUTCOMES.tally is None:
            traceback.print_exc()
        return "plantage"
    return "résultat"


def run_in_process(drawn: Drawn, directory: Path) -> str:
    path = directory / f"entree{drawn.suffix}"
    path.write_bytes(drawn.data)
    return _outcome(lambda: KINDS[drawn.kind][0](read_document(path)))


def run_command(drawn: Drawn, directory: Path) -> str:
    """The same through the command line: a documented exit code, never a traceback."""
    path = directory / f"entree{drawn.suffix}"
    path.write_bytes(drawn.data)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cms_law", KINDS[drawn.kind][1], str(path), "--format", "json"],
            capture_output=True, text=True, timeout=60,
        )
    except subprocess.TimeoutExpired:
        return "blocage"
    if "Traceback" in done.stderr or done.returncode not in DOCUMENTED_EXITS:
        return "plantage"
    return "erreur" if done.returncode == 1 else "résultat"


_anything = st.one_of(
    _values,
    st.binary(max_size=10),
    st.datetimes(),
    st.dates(),
    st.just(object()),
    st.integers(10**4000, 10**4500),
    st.sampled_from(["2023-2025", "2024-03-15", "arrondi_objectifs=plus_proche", {"arrondi_objectifs": 3}, {3: "x"}]),
)


@attrs.frozen
class Arguments:
    kind: str
    given: dict[str, Any]


@st.composite
def api_arguments(draw: Callable[..., Any]) -> Arguments:
    kind = draw(st.sampled_from(sorted(KINDS)))
    names = ["periode", "conventions", *(["date"] if kind == "commune" else [])]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    return Arguments(kind, {name: draw(_anything) for name in chosen})


def run_api(arguments: Arguments) -> str:
    document = read_document(EXAMPLES / KINDS[arguments.kind][2])
    return _outcome(lambda: KINDS[arguments.kind][0](document, **arguments.given))


OUTCOMES = Outcomes("résultat", "erreur")
_SHORT = settings(SHORT, max_examples=60)


@_SHORT
@given(documents())
def test_generated_documents_in_process(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as directory:
        OUTCOMES.check(run_in_process(drawn, Path(directory)))


@settings(_SHORT, max_examples=60)
@given(api_arguments())
def test_api_arguments_of_any_type(arguments: Arguments) -> None:
    OUTCOMES.check(run_api(arguments))


@settings(_SHORT, max_examples=4)
@given(documents())
def test_generated_documents_through_the_command_line(drawn: Drawn) -> None:
    with tempfile.TemporaryDirectory() as directory:
        OUTCOMES.check(run_command(drawn, Path(directory)))


def test_the_fuzzer_meets_the_cases_it_is_meant_to() -> None:
    """The generators do draw what the issue lists (else a green run would prove nothing)."""
    assert run_api(Arguments("commune", {"conventions": ["a"], "date": dt.datetime(2024, 1, 1)})) == "erreur"
    assert run_api(Arguments("commune", {"conventions": {"arrondi_objectifs": "plus_proche"}})) == "résultat"
    with tempfile.TemporaryDirectory() as directory:
        text = (EXAMPLES / "commune_depliant_dhup.yaml").read_text("utf-8") + "date_entree_dispositif: 2023-02-30\n"
        assert run_in_process(Drawn("commune", text.encode(), ".yaml"), Path(directory)) == "erreur"


def main() -> None:
    parser = argparse.ArgumentParser(description="Fuzzing des documents d'entrée et de l'API de cms-law, profil long")
    parser.add_argument("--exemples", type=int, default=1000, help="documents essayés en processus (défaut : 1000)")
    parser.add_argument("--api", type=int, default=1000, help="appels de l'API essayés (défaut : 1000)")
    parser.add_argument("--commande", type=int, default=50, help="documents essayés par la ligne de commande (défaut : 50)")
    arguments = parser.parse_args()
    for name, test, strategy, count in (
        ("documents en processus", test_generated_documents_in_process, documents(), arguments.exemples),
        ("arguments de l'API", test_api_arguments_of_any_type, api_arguments(), arguments.api),
        ("documents par la ligne de commande", test_generated_documents_through_the_command_line, documents(),
         arguments.commande),
    ):
        tally, seconds = OUTCOMES.count(test, strategy, count)
        print(f"{name} : {sum(tally.values())} essayés en {seconds:.0f} s ;"
              f" résultats {tally['résultat']}, erreurs documentées {tally['erreur']},"
              f" plantages {tally['plantage']}, blocages {tally['blocage']}")


if __name__ == "__main__":
    main()
