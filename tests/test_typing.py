"""The package is typed (py.typed): its annotations must hold, or embedders get wrong types."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "cms_law"


def test_the_package_type_checks() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-error-summary", str(PACKAGE)],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


#: An embedder's script, type-checked against the installed package: a typed call, a typed
#: exception, typed attributes of the result.
USER_SCRIPT = '''
from cms_law import InputError, evaluate

try:
    resultat = evaluate({"nom": "Exemple", "population": 12000}, periode="2023-2025")
except InputError as erreur:
    problemes = erreur.problemes
else:
    regime: str = resultat.regime.id
    texte: str = resultat.texte()
'''
#: The same package must also refuse a wrong use, or the types seen were only ``Any``.
WRONG_USE = '''
from cms_law import evaluate

texte: int = evaluate({}, periode="2023-2025").texte()
'''


def test_a_user_script_outside_the_repository_type_checks_strictly(tmp_path: Path) -> None:
    (tmp_path / "script_utilisateur.py").write_text(USER_SCRIPT, encoding="utf-8")
    (tmp_path / "mauvais_usage.py").write_text(WRONG_USE, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key not in ("MYPYPATH", "PYTHONPATH")}
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
         "script_utilisateur.py", "mauvais_usage.py"],
        cwd=tmp_path, env=environment, capture_output=True, text=True,
    )
    errors = completed.stdout.splitlines()
    assert [line for line in errors if not line.startswith("mauvais_usage.py:4: ")] == [], completed.stdout
    assert len(errors) == 1 and "Incompatible types in assignment" in errors[0], completed.stdout
