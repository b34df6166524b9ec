"""The start-up cache: each rule file's parsed contents, kept as JSON between runs.

Parsing the YAML of the rule files (and checking its bounds) is the larger part of loading the
rule book, and the rule files change only when a user edits them. An entry is named after the
sha256 of the file's exact bytes and of cms-law's version: a changed rule file, or another
version of cms-law, names another entry, so an entry never needs invalidating. Only a file that
parsed and passed every check of :func:`~.reader.load_yaml` is stored; the checks of the later
loading steps (articles, rules, whole book) run on every start, on the cached contents as on the
parsed ones.

A cache file is data, never code (no pickle, no marshal): JSON whose every value is tagged, read
back by a decoder that accepts only those tags. It is read only if it is a regular file of the
current user and not larger than :data:`MAX_ENTRY_BYTES`; anything unexpected in it (a wrong
tag, a truncated file, a decoding error) counts as a miss, and the rule file is parsed again and
the entry rewritten. Writing is atomic (a temporary file renamed) and any failure to write is
ignored: the cache only makes starting faster.

The cache also remembers which whole rule books passed the checks of the last loading step
(:func:`~.checks.check_book`): an empty *marker* named after the book's fingerprint (the sha256
over every rule file's path and bytes) and the identity of the code that checked it (cms-law's
version, and the path, size and modification time of each of its modules, as Python's own
bytecode cache tells a changed module). A book with the same files, checked by the same code,
passes the same checks: they are not run again. A changed rule file, or a changed module of
cms-law, names another marker; so does any other folder of rules.

Where (README, « Le cache de démarrage »): ``$CMS_LAW_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/cms-law``, else ``~/.cache/cms-law``; ``CMS_LAW_CACHE=0`` turns it off.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import orjson

from ..version import __version__

#: Changed whenever the encoding below or what the YAML constructor yields changes.
CACHE_FORMAT = "1"
#: An entry larger than this is not read (the largest shipped rule file encodes to ~0.5 MB).
MAX_ENTRY_BYTES = 16 * 1024 * 1024
_OFF = ("0", "non", "no", "false", "off")


class _Unstorable(Exception):
    """A value the encoding does not hold (``!!binary``, ``!!set``…): that file gets no entry."""


def cache_dir() -> Path | None:
    """The folder of the entries, or ``None`` when the cache is off."""
    if os.environ.get("CMS_LAW_CACHE", "").strip().lower() in _OFF:
        return None
    chosen = os.environ.get("CMS_LAW_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base and os.path.isabs(base) else Path.home() / ".cache") / "cms-law"


def entry_name(raw: bytes) -> str:
    digest = hashlib.sha256(f"cms-law {__version__} cache {CACHE_FORMAT}\0".encode())
    digest.update(raw)
    return f"regles-{digest.hexdigest()}.json"


def checked(empreinte: str) -> bool:
    """Whether the rule book of this fingerprint passed every check of the book, by this code."""
    folder = cache_dir()
    if folder is None:
        return False
    try:
        return _regular_and_mine(os.stat(folder / _marker_name(empreinte), follow_symlinks=False))
    except (OSError, ValueError):
        return False


def mark_checked(empreinte: str) -> None:
    """Remember that the rule book of this fingerprint passed every check; silently nothing on failure."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(folder / _marker_name(empreinte), os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(descriptor)
    except OSError:
        return


def _marker_name(empreinte: str) -> str:
    digest = hashlib.sha256(_code_identity())
    digest.update(empreinte.encode("utf-8"))
    return f"verifie-{digest.hexdigest()}"


@functools.cache
def _code_identity() -> bytes:
    """cms-law's version and, for each of its modules, its path, size and modification time."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"cms-law {__version__} cache {CACHE_FORMAT}\0".encode())
    for path in sorted(package.rglob("*.py")):
        status = path.stat()
        digest.update(f"{path.relative_to(package)}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.digest()


def read(raw: bytes, located: type[dict[Any, Any]]) -> tuple[bool, Any]:
    """``(True, contents)`` of the entry for these bytes, or ``(False, None)`` on any miss."""
    folder = cache_dir()
    if folder is None:
        return False, None
    path = folder / entry_name(raw)
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        descriptor = os.open(path, flags)
    except OSError:
        return False, None
    try:
        with os.fdopen(descriptor, "rb") as stream:
            status = os.fstat(stream.fileno())
            # Another user's file (a shared folder) or anything but a regular file is not trusted.
            if not _regular_and_mine(status) or status.st_size > MAX_ENTRY_BYTES:
                return False, None
            text = stream.read(MAX_ENTRY_BYTES + 1)
        return True, _decode(orjson.loads(text), located)
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError, MemoryError):
        return False, None


def write(raw: bytes, contents: Any) -> None:
    """Store the contents parsed from these bytes; silently nothing if they cannot be stored."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        text = orjson.dumps(_encode(contents))
    except (_Unstorable, TypeError, RecursionError):
        return
    import tempfile  # only a miss writes: its import (shutil, random) is not paid at every start

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".regles-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(text)
            os.replace(temporary, folder / entry_name(raw))
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return


def _regular_and_mine(status: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return stat.S_ISREG(status.st_mode) and (getuid is None or status.st_uid == getuid())


# The encoding: JSON's own null, booleans, strings and integers as themselves; every other value a
# list whose first item is its tag. Mappings keep their order, their line and each key's line.
def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else ["i", str(value)]
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, list):
        return ["l", [_encode(item) for item in value]]
    if isinstance(value, dict) and hasattr(value, "lines"):
        mapping: Any = value  # a reader.Located (not imported: the reader imports this module)
        return ["m", mapping.line, [[_encode(key), mapping.lines[key], _encode(item)] for key, item in mapping.items()]]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    raise _Unstorable(type(value).__name__)


def _decode(value: Any, located: type[dict[Any, Any]]) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most values, by far
        return value
    tag, body = value[0], value[1]
    if tag == "l":
        return [item if type(item) is str else _decode(item, located) for item in _list(body)]
    if tag == "m":
        mapping: Any = located()
        lines: dict[Any, int] = {}
        mapping.line = _int(body)
        mapping.lines = lines
        for key, line, item in _list(value[2]):
            if type(key) is not str:
                key = _decode(key, located)
            lines[key] = _int(line)
            mapping[key] = item if type(item) is str else _decode(item, located)
        return mapping
    if tag == "f":
        return float(_str(body))
    if tag == "i":
        return int(_str(body))
    if tag == "d":
        return dt.date.fromisoformat(_str(body))
    if tag == "t":
        return dt.datetime.fromisoformat(_str(body))
    raise ValueError(f"étiquette inconnue {tag!r}")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("liste attendue")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("entier attendu")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("texte attendu")
    return value
