"""cms-law as it is installed: its own private engine, whatever else the process has loaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import commune


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
assert compiler.engine is not public
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
