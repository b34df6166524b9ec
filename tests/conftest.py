"""Shared fixtures: example communes and a writable copy of the rule files."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cms_law import RuleBook
from cms_law.loader import load_rulebook_from, rules_root

EXAMPLES = Path(__file__).parent.parent / "examples"


def pytest_configure(config: pytest.Config) -> None:
    """The start-up cache of the rule files (``cms_law/loader/cache.py``) goes to a folder of this
    run, for the tests and the commands they start, never to the user's own cache."""
    if "CMS_LAW_CACHE_DIR" not in os.environ:
        os.environ["CMS_LAW_CACHE_DIR"] = tempfile.mkdtemp(prefix="cms-law-cache-tests-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop("CMS_LAW_CACHE_DIR"), ignore_errors=True))


def commune(**changes: Any) -> dict[str, Any]:
    """The leaflet's commune (500 missing dwellings, objective 165), with ``changes`` applied."""
    base: dict[str, Any] = {
        "nom": "Commune du dépliant",
        "population": 12000,
        "unite_urbaine_paris": False,
        "agglomeration_ou_epci_eligible": True,
        "taux_cible": "25 %",
        "residences_principales": 4000,
        "logements_sociaux": 500,
        "plh": True,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture
def rules_copy(tmp_path: Path) -> Callable[[str, Callable[[dict[str, Any]], None]], RuleBook]:
    """Copy rules/ to a temporary folder, let a test edit one YAML file, and load the copy."""
    root = tmp_path / "rules"
    shutil.copytree(Path(str(rules_root())), root)

    def edit(relative: str, change: Callable[[dict[str, Any]], None]) -> RuleBook:
        path = root / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return load_rulebook_from(root)

    return edit
