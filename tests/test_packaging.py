"""cms-law as it is installed: every supported Python, the same results, its own private engine.

The whole suite runs on the Python that runs it (3.11 in CI). For every other Python the package
declares, a smoke test follows the README's install command in a fresh virtual environment and
checks that the commands give, byte for byte, what they give here: the encoded law must not
depend on the interpreter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from conftest import commune

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SUPPORTED = sorted(
    (classifier.rsplit(" :: ", 1)[1] for classifier in PYPROJECT["project"]["classifiers"]
     if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", classifier)),
    key=lambda version: tuple(map(int, version.split("."))),
)
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
#: Build products and caches of a working copy, which a fresh clone does not have.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.so", "_build", "_generated",
    ".pytest_cache", ".hypothesis", ".mypy_cache",
)
#: What the smoke test runs on each Python; outputs go to the working folder, named relatively so
#: that the messages that name them are the same everywhere.
COMMANDS = (
    ("evaluate", "examples/commune_exemple.yaml"),
    ("evaluate", "examples/commune_depliant_dhup.yaml", "--format", "json"),
    ("batch", "examples/communes_inventaire.csv", "--explain", "-o", "inventaire.csv"),
    ("batch", "examples/communes_avec_erreurs.csv", "--format", "json", "--explain", "-o", "erreurs.jsonl"),
    ("check-contract", "examples/contrat_depliant_abaissant.yaml"),
    ("check-contract", "examples/contrat_grand_poitiers_mutualisant.yaml", "--format", "json"),
    ("check-contract", "examples/contrat_lyon_arrondissements.yaml", "--format", "csv"),
)


def test_requires_python_says_what_the_classifiers_say() -> None:
    lowest, highest = SUPPORTED[0], SUPPORTED[-1]
    major, minor = highest.split(".")
    assert PYPROJECT["project"]["requires-python"] == f">={lowest},<{major}.{int(minor) + 1}"
    assert RUNNING in SUPPORTED, f"la suite tourne sous Python {RUNNING}, que le paquet ne déclare pas"


def _clean_environment() -> dict[str, str]:
    hidden = {"PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "VIRTUAL_ENV", "MYPYPATH"}
    return {**{key: value for key, value in os.environ.items() if key not in hidden},
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run_commands(python: Path | str, workdir: Path) -> dict[str, object]:
    """Run every command of ``COMMANDS`` with ``python -m cms_law`` in a folder holding the examples."""
    shutil.copytree(ROOT / "examples", workdir / "examples", ignore=NOT_IN_A_CLONE)
    outputs: dict[str, object] = {}
    for command in COMMANDS:
        done = subprocess.run(
            [str(python), "-m", "cms_law", *command], cwd=workdir, env=_clean_environment(),
            capture_output=True, text=True, timeout=300,
        )
        outputs[" ".join(command)] = (done.returncode, done.stdout, done.stderr)
    for path in sorted(workdir.rglob("*")):
        if path.is_file() and "examples" not in path.relative_to(workdir).parts:
            outputs[str(path.relative_to(workdir))] = path.read_text(encoding="utf-8")
    return outputs


@pytest.fixture(scope="module")
def reference_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the commands give under the Python running the whole suite."""
    return _run_commands(sys.executable, tmp_path_factory.mktemp(f"python{RUNNING}"))


def _interpreter(version: str) -> Path:
    """The newest CPython ``version`` of pyenv, else ``pythonX.Y`` on the PATH; a failure if none."""
    candidates: list[Path] = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = Path(subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip())
        installed = [path for path in root.glob(f"versions/{version}.*/bin/python3")
                     if re.fullmatch(rf"{re.escape(version)}\.\d+", path.parent.parent.name)]
        candidates += sorted(installed, key=lambda path: int(path.parent.parent.name.rsplit(".", 1)[1]), reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        probe = subprocess.run(
            [str(candidate), "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2], sys.implementation.name)"],
            capture_output=True, text=True,
        )
        if probe.returncode == 0 and probe.stdout.split() == [version, "cpython"]:
            return candidate
    pytest.fail(
        f"Python {version}, déclaré par pyproject.toml, est introuvable (ni `pyenv root`/versions/{version}.*, "
        f"ni python{version} dans le PATH) : le test d'installation sous {version} n'a pas pu tourner. "
        f"Installez-le (pyenv install {version}) ou retirez {version} des versions déclarées.",
        pytrace=False,
    )


def _readme_install_command() -> str:
    """The command of the README's « Installer et évaluer une commune » section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Installer et évaluer une commune", 1)[1]
    command = re.search(r"```sh\n(.*?)\n```", section, re.DOTALL)
    assert command is not None, "la section d'installation du README n'a plus de bloc ```sh"
    assert command.group(1).startswith("python3 -m venv .venv && "), command.group(1)
    return command.group(1)


@pytest.mark.parametrize("version", [version for version in SUPPORTED if version != RUNNING])
def test_installed_as_the_readme_says_it_gives_the_same_results(
    version: str, tmp_path: Path, reference_outputs: dict[str, object]
) -> None:
    python = _interpreter(version)
    clone = tmp_path / "cms-law"
    shutil.copytree(ROOT, clone, symlinks=True, ignore=NOT_IN_A_CLONE)
    command = _readme_install_command().replace("python3", str(python), 1)
    installed = subprocess.run(
        ["sh", "-c", command], cwd=clone, env=_clean_environment(), capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, f"{command}\n{installed.stdout}\n{installed.stderr}"
    assert "Objectif triennal" in installed.stdout
    venv_python = clone / ".venv" / "bin" / "python"
    engine = subprocess.run(
        [str(venv_python), "-c", "import cms_law._vendor.durable_rules.durable_rules_engine as e; print(e.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, env=_clean_environment(),
    )
    assert engine.stdout.startswith(str(clone)), engine.stdout + engine.stderr

    outputs = _run_commands(venv_python, tmp_path / "work")

    assert outputs.keys() == reference_outputs.keys()
    for name, output in outputs.items():
        assert output == reference_outputs[name], f"{name} : Python {version} diffère de Python {RUNNING}"


_PUBLIC_AND_PRIVATE = """
import json, sys
import durable_rules_engine
from durable import engine as public

class Host(public.Host):
    def _run(self):
        pass  # no dispatcher thread: its calls, concurrent with this script's, crash the engine

# A user's own ruleset, under the very name and with the very session id that cms-law's first
# evaluation takes, asserted before cms-law compiles anything, and still whole after.
fired = []
host = Host()
host.register_rulesets({"cms_law_1": {"r": {"all": [{"m": {"t": "v"}}], "run": lambda c: fired.append(c.m.n)}}})
host.assert_fact("cms_law_1", {"sid": "1", "t": "v", "n": "utilisateur"})

from cms_law import evaluate
from cms_law import compiler
resultat = evaluate(json.loads(sys.argv[1]), periode="2023-2025")

assert compiler.durable_rules_engine is not durable_rules_engine
assert host.get_facts("cms_law_1", "1") == [{"sid": "1", "t": "v", "n": "utilisateur"}]
host.assert_fact("cms_law_1", {"sid": "1", "t": "v", "n": "encore"})
assert fired == ["utilisateur", "encore"], fired
print(resultat.to_json())
"""


def test_a_durable_rules_installed_beside_is_another_engine(tmp_path: Path) -> None:
    """cms-law imports no public durable_rules, and one imported beside it shares nothing with it.

    The durable_rules beside is made here from the vendored sources under their public names
    (``durable_rules_engine`` and ``durable``), as its archive installs them.
    """
    from cms_law._vendor.durable_rules import durable_rules_engine

    private = Path(durable_rules_engine.__file__)
    (tmp_path / "durable").mkdir()
    shutil.copy(private, tmp_path / f"durable_rules_engine{sysconfig.get_config_var('EXT_SUFFIX')}")
    shutil.copy(private.parent / "__init__.py", tmp_path / "durable" / "__init__.py")
    engine = (private.parent / "engine.py").read_text(encoding="utf-8")
    (tmp_path / "durable" / "engine.py").write_text(
        engine.replace("from . import durable_rules_engine\n", "import durable_rules_engine\n", 1), encoding="utf-8"
    )
    alone = subprocess.run(
        [sys.executable, "-c",
         "import json, sys; from cms_law import evaluate;"
         "print(evaluate(json.loads(sys.argv[1]), periode='2023-2025').to_json());"
         "assert not {'durable', 'durable_rules_engine'} & set(sys.modules), 'cms-law a importé durable_rules'",
         json.dumps(commune())],
        capture_output=True, text=True, check=True,
    )
    beside = subprocess.run(
        [sys.executable, "-c", _PUBLIC_AND_PRIVATE, json.dumps(commune())],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert beside.returncode == 0, beside.stderr
    assert beside.stdout == alone.stdout
