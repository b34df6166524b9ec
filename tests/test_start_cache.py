"""The start-up cache of the rule files (cms_law/loader/cache.py): it changes no result, follows
every edit of a rule file, and nothing in a cache file can change what is loaded or crash it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cms_law import RuleFileError
import cms_law.loader as loader_package
from cms_law.loader import cache, load_rulebook_from, reader, rules_root


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of this test only."""
    path = tmp_path / "cache"
    monkeypatch.setenv("CMS_LAW_CACHE_DIR", str(path))
    monkeypatch.delenv("CMS_LAW_CACHE", raising=False)
    yield path


def _uncached(monkeypatch: pytest.MonkeyPatch, root: object = None) -> str:
    with monkeypatch.context() as patch:
        patch.setenv("CMS_LAW_CACHE", "0")
        return repr(load_rulebook_from(root or rules_root()))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, name: str) -> object:
        raise AssertionError(f"{name} analysé malgré le cache")

    monkeypatch.setattr(reader, "_parse", refuse)


def test_second_load_reads_every_file_from_the_cache_and_loads_the_same_book(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _uncached(monkeypatch)
    assert not folder.exists()
    first = load_rulebook_from(rules_root())
    entries = sorted(folder.iterdir())
    # One entry per rule file, and the marker of the book's checks.
    assert [entry.name for entry in entries if not entry.name.startswith("regles-")] == [cache._marker_name(first.empreinte)]
    _no_parsing(monkeypatch)
    second = load_rulebook_from(rules_root())
    assert repr(first) == repr(second) == expected
    assert second.empreinte == first.empreinte


def test_editing_a_rule_file_gives_it_a_new_entry(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(Path(str(rules_root())), root)
    before = load_rulebook_from(root)
    text = (root / "lois.yaml").read_text(encoding="utf-8")
    (root / "lois.yaml").write_text(text + "\n# modifié\n", encoding="utf-8")
    count = len(list(folder.iterdir()))
    after = load_rulebook_from(root)
    assert after.empreinte != before.empreinte
    # The file's new entry, and the marker of the new book's checks.
    assert len(list(folder.iterdir())) == count + 2


def test_cache_turned_off_writes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMS_LAW_CACHE", "0")
    load_rulebook_from(rules_root())
    assert not folder.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b'["m", 1, [[["l", []], 3, "x"]]]',  # a list as a mapping's key
        b'["x", 1]',
        b'["m", "un", []]',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": 1}',
        b'["m", 1, [["lois", 2, ["f", "un"]]]]',
    ],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(
    folder: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    expected = _uncached(monkeypatch)
    load_rulebook_from(rules_root())
    raw = (Path(str(rules_root())) / "lois.yaml").read_bytes()
    entry = folder / cache.entry_name(raw)
    entry.write_bytes(content)
    assert repr(load_rulebook_from(rules_root())) == expected
    assert entry.read_bytes() != content


def test_a_well_formed_entry_saying_something_else_is_still_checked(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the folder's owner can write such an entry; the loading steps after the YAML still check
    # it, so it gives the French error of a bad rule file, never a crash.
    load_rulebook_from(rules_root())
    raw = (Path(str(rules_root())) / "lois.yaml").read_bytes()
    (folder / cache.entry_name(raw)).write_bytes(b'["m", 1, [["lois", 2, ["f", "nan"]]]]')
    with pytest.raises(RuleFileError, match="lois.yaml"):
        load_rulebook_from(rules_root())


def test_an_entry_that_is_a_link_or_too_large_is_not_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_rulebook_from(rules_root())
    raw = (Path(str(rules_root())) / "lois.yaml").read_bytes()
    entry = folder / cache.entry_name(raw)
    target = folder / "ailleurs.json"
    entry.rename(target)
    entry.symlink_to(target)
    assert cache.read(raw, reader.Located) == (False, None)
    entry.unlink()
    entry.write_bytes(b" " * (cache.MAX_ENTRY_BYTES + 1))
    assert cache.read(raw, reader.Located) == (False, None)


def test_an_unwritable_cache_folder_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv("CMS_LAW_CACHE_DIR", str(blocker / "cache"))
    expected = _uncached(monkeypatch)
    assert repr(load_rulebook_from(rules_root())) == expected


def test_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CMS_LAW_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "cms-law"
    monkeypatch.setenv("XDG_CACHE_HOME", "relatif")
    assert cache.cache_dir() == Path.home() / ".cache" / "cms-law"
    monkeypatch.setenv("CMS_LAW_CACHE", "non")
    assert cache.cache_dir() is None


def _checks_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(book: object) -> None:
        raise AssertionError("livre vérifié à nouveau malgré le cache")

    monkeypatch.setattr(loader_package, "check_book", refuse)


def test_a_book_checked_once_is_not_checked_again_by_the_same_code(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_rulebook_from(rules_root())
    with monkeypatch.context() as patch:
        _checks_refused(patch)
        assert repr(load_rulebook_from(rules_root())) == repr(first)
        # Other code (another version, an edited module) checks the same files again.
        patch.setattr(cache, "_code_identity", lambda: b"autre code")
        with pytest.raises(AssertionError, match="vérifié à nouveau"):
            load_rulebook_from(rules_root())


def test_a_book_failing_its_checks_is_refused_at_every_load(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A summary naming a value no rule gives: refused by check_book, the last step of the loading.
    root = tmp_path / "rules"
    shutil.copytree(Path(str(rules_root())), root)
    vocabulary = root / "vocabulaire.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(text.replace("{objectif_triennal}", "{nom_inconnu_du_livre}", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RuleFileError, match="nom_inconnu_du_livre"):
            load_rulebook_from(root)
    assert not [entry for entry in folder.iterdir() if entry.name.startswith("verifie-")]
    with monkeypatch.context() as patch:
        patch.setattr(loader_package, "check_book", lambda book: None)
        load_rulebook_from(root)  # only the book's checks refuse it


def test_a_marker_that_is_a_link_is_not_trusted(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = load_rulebook_from(rules_root())
    marker = folder / cache._marker_name(book.empreinte)
    marker.unlink()
    (tmp_path / "ailleurs").write_bytes(b"")
    marker.symlink_to(tmp_path / "ailleurs")
    assert not cache.checked(book.empreinte)
    _checks_refused(monkeypatch)
    with pytest.raises(AssertionError, match="vérifié à nouveau"):
        load_rulebook_from(rules_root())
