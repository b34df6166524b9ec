"""Reading a user's document — a commune, EPCI, contract, history or case file, an HTTP body — as
plain data, within bounds, every problem named by file and line.

One reader for every document a user sends, so that all of them get the same checks: UTF-8 only
(UTF-16 and UTF-32 are recognised and refused as such), at most :data:`MAX_BYTES` bytes,
:data:`MAX_DEPTH` levels of nesting and :data:`MAX_VALUES` values once YAML aliases are expanded
(a few lines of aliases can otherwise stand for billions of values), numbers of at most
:data:`MAX_DIGITS` digits and finite, no key given twice in a mapping (both lines named: the last
value silently winning hides a mistake). YAML is built here from the parser's events rather than
by PyYAML's constructor: dates stay the text the user wrote, so that an impossible date
(``2023-02-30``) is reported by the library's field check instead of crashing the parser; only the
plain tags of data (text, numbers, booleans, null) are accepted, never a tag that builds an object.

Each mapping read from YAML is a :class:`Document`, a dict that also knows its file and the line of
each key, so that the checks of :mod:`cms_law.inputs` can say where a wrong value is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .errors import InputError, Problem, os_reason, shown

#: A document's size at most, in bytes (an EPCI of a thousand communes is under 1 Mo).
MAX_BYTES = 10_000_000
#: Mappings and lists inside one another, at most.
MAX_DEPTH = 32
#: Values (texts, numbers, mappings, lists) in a document once every YAML alias is expanded.
MAX_VALUES = 100_000
#: Digits of a number, at most (a count of the law has 8; a rate given to 30 digits is plenty).
MAX_DIGITS = 30

#: libyaml's C parser when PyYAML has it (the events are the same), else the pure Python one.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
#: The tags a document may carry, explicit or resolved; a date stays text (see the module's doc).
_SCALARS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_CONTAINERS = {f"{_TAG}map", f"{_TAG}seq"}
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


class Document(dict[Any, Any]):
    """A mapping read from a document: ``source`` names the file, ``lines`` the line of each key."""

    source: str = ""
    lines: dict[Any, int]
    #: True for a document with nothing in it (or only comments): its caller lists what it needs.
    empty: bool = False

    def __init__(self, source: str = "", empty: bool = False) -> None:
        super().__init__()
        self.source = source
        self.lines = {}
        self.empty = empty


def where(data: object, key: object) -> str:
    """`` (commune.yaml, ligne 3)`` for a key of a :class:`Document`, nothing for other data."""
    if isinstance(data, Document) and data.source and key in data.lines:
        return f" ({data.source}, ligne {data.lines[key]})"
    return ""


def keeping_lines(original: object, items: dict[Any, Any]) -> dict[Any, Any]:
    """``items`` taken from ``original``, still knowing their lines when ``original`` is a
    :class:`Document` (an EPCI's commune, split into its own fields and the contract's)."""
    if not isinstance(original, Document):
        return items
    document = Document(original.source)
    document.update(items)
    document.lines = {key: line for key, line in original.lines.items() if key in items}
    return document


def read_document(path: str | Path, name: str | None = None, locate: bool = True, aliases: bool = True) -> Any:
    """The document of the file at ``path``: JSON if its name ends in ``.json``, YAML otherwise
    (which reads JSON too). Raises :class:`~cms_law.errors.InputError` naming the file (as
    ``name``, default its path). ``locate=False``: the checks of its values name no line (a
    legal case's outputs must not change when a line is added above it). ``aliases=False``
    refuses YAML aliases."""
    path = Path(path)
    name = str(path) if name is None else name
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise _error(f"{path} est un dossier : le chemin d'un fichier YAML ou JSON est attendu") from None
    except FileNotFoundError:
        raise _error(f"{path} : fichier introuvable") from None
    except PermissionError:
        raise _error(f"{path} : lecture refusée (permission refusée)") from None
    except OSError as error:
        raise _error(f"{path} : lecture impossible ({os_reason(error)})") from None
    document = parse_document(data, name, "json" if path.suffix.lower() == ".json" else "yaml", aliases)
    if not locate:
        _unlocate(document)
    return document


def parse_document(data: bytes | str, source: str, kind: str = "yaml", aliases: bool = True) -> Any:
    """The document in ``data`` (bytes as read, or text), ``kind`` ``"yaml"`` or ``"json"``;
    ``source`` names it in every message. ``aliases=False`` refuses YAML aliases altogether."""
    text = decode(data, source) if isinstance(data, bytes) else data
    if len(text) > MAX_BYTES:
        raise _error(f"{source} : plus de {MAX_BYTES} octets, la taille maximale d'un document")
    if not text.strip():
        return Document(source, empty=True)
    document = _json(text, source) if kind == "json" else _yaml(text, source, aliases)
    return Document(source, empty=True) if document is None else document


def _unlocate(data: Any) -> None:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, Document):
            if value.source:
                value.source = ""
                pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a leading BOM dropped); any other encoding is refused, UTF-16/32 by name."""
    if len(data) > MAX_BYTES:
        raise _error(f"{source} : plus de {MAX_BYTES} octets, la taille maximale d'un document")
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            raise _error(f"{source} est encodé en {encoding} : l'enregistrer en UTF-8")
    if b"\x00" in data[:1000]:
        raise _error(f"{source} contient des octets nuls (UTF-16 ou UTF-32 sans BOM ?) : l'enregistrer en UTF-8")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _error(
            f"{source}, ligne {line} : ce n'est pas un texte UTF-8 (octet 0x{data[error.start]:02X})"
            " : l'enregistrer en UTF-8"
        ) from None


def _error(message: str, field: str = "fichier") -> InputError:
    return InputError([Problem(field, message)])


# --- JSON ------------------------------------------------------------------------------------


class _Refused(Exception):
    """A value refused by a hook of the JSON parser, reported once the parser has unwound."""


def _json(text: str, source: str) -> Any:
    try:
        data = json.loads(
            text,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
            object_pairs_hook=lambda pairs: _json_object(pairs, source),
        )
    except json.JSONDecodeError as error:
        raise _error(f"{source} : JSON invalide, ligne {error.lineno}, colonne {error.colno} : {error.msg}") from None
    except _Refused as error:
        raise _error(f"{source} : {error}") from None
    except RecursionError:
        raise _error(f"{source} : document trop imbriqué (au plus {MAX_DEPTH} niveaux)") from None
    _check_shape(data, source)
    return data


def _json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"valeur illisible : nombre de plus de {MAX_DIGITS} chiffres ({shown(digits)})")
    return int(digits)


def _json_float(digits: str) -> float:
    if sum(character.isdigit() for character in digits) > MAX_DIGITS:
        raise _Refused(f"valeur illisible : nombre de plus de {MAX_DIGITS} chiffres ({shown(digits)})")
    number = float(digits)
    if not math.isfinite(number):
        raise _Refused(f"valeur illisible : {shown(digits)} n'est pas un nombre fini")
    return number


def _json_constant(constant: str) -> None:
    raise _Refused(f"valeur illisible : {constant} n'est pas un nombre (JSON n'a ni infini ni NaN)")


def _json_object(pairs: list[tuple[str, Any]], source: str) -> Document:
    document = Document(source)
    for key, value in pairs:
        if key in document:
            raise _Refused(f"clé « {shown(key)} » donnée deux fois dans le même objet")
        document[key] = value
    return document


def _check_shape(data: Any, source: str) -> None:
    """Depth and number of values of parsed JSON, walked without recursion."""
    pending, count = [(data, 0)], 0
    while pending:
        value, depth = pending.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _error(f"{source} : document trop imbriqué (au plus {MAX_DEPTH} niveaux)")
        if count > MAX_VALUES:
            raise _error(f"{source} : plus de {MAX_VALUES} valeurs, le maximum d'un document")
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


# --- YAML ------------------------------------------------------------------------------------

_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_NOTHING = object()


class _Container:
    """A mapping or list being read: what it holds so far, its size with aliases expanded."""

    def __init__(self, event: yaml.Event, value: Document | list[Any]) -> None:
        self.event = event
        self.value = value
        self.size = 1
        self.key: Any = _NOTHING
        self.key_line = 0
        self.merged: dict[Any, Any] = {}


def _yaml(text: str, source: str, aliases: bool) -> Any:
    """Build the document from the parser's events, one at a time and without recursion."""

    def fail(message: str, event: yaml.Event | None = None, field: str = "fichier") -> InputError:
        mark = event.start_mark if event is not None else None
        line = f", ligne {mark.line + 1}" if mark is not None else ""
        return _error(f"{source}{line} : {message}", field)

    stack: list[_Container] = []
    anchors: dict[str, tuple[Any, int]] = {}
    root: Any = _NOTHING
    total = 0
    documents = 0
    try:
        for event in _events(text):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise fail("un seul document est attendu (un second commence ici, après « --- »)", event)
                continue
            if not isinstance(event, (yaml.NodeEvent, yaml.CollectionEndEvent)):
                continue
            path = _path_of(stack)
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise fail(f"document trop imbriqué (au plus {MAX_DEPTH} niveaux)", event)
                _check_tag(event, fail, path)
                container: Document | list[Any] = Document(source) if isinstance(event, yaml.MappingStartEvent) else []
                stack.append(_Container(event, container))
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()
                value, size = done.value, done.size
                if isinstance(value, Document) and done.merged:
                    value = _merged(value, done.merged)
                start: yaml.Event = done.event
            elif isinstance(event, yaml.AliasEvent):
                if not aliases:
                    raise fail("YAML refusé : les alias (*nom) ne sont pas acceptés", event)
                if event.anchor not in anchors:
                    raise fail(f"alias *{shown(event.anchor)} d'une ancre non définie", event)
                value, size = anchors[event.anchor]
                start = event
            else:
                assert isinstance(event, yaml.ScalarEvent)  # the last kind of node event
                value, size, start = _scalar(event, fail, path), 1, event
            total += size
            if total > MAX_VALUES:
                raise fail(f"plus de {MAX_VALUES} valeurs une fois les alias développés, le maximum d'un document", start)
            anchor = getattr(start, "anchor", None)
            if anchor is not None and not isinstance(start, yaml.AliasEvent):
                anchors[anchor] = (value, size)
            if not stack:
                root = value
                continue
            parent = stack[-1]
            parent.size += size
            if isinstance(parent.value, list):
                parent.value.append(value)
            elif parent.key is _NOTHING:
                _take_key(parent, value, start, fail)
            else:
                _put(parent, value, start, fail)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f", ligne {mark.line + 1}, colonne {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        if "nesting depth" in problem:  # libyaml's own bound, below ours for flow collections
            raise _error(f"{source}{line} : document trop imbriqué (au plus {MAX_DEPTH} niveaux)") from None
        raise _error(f"{source}{line} : YAML invalide ({problem})") from None
    return None if root is _NOTHING else root


def _events(text: str) -> Iterator[yaml.Event]:
    return yaml.parse(text, Loader=_PARSER)


def _path_of(stack: list[_Container]) -> str:
    """The key path of the value about to be read (``communes[2].population``), for messages."""
    parts = []
    for container in stack:
        if isinstance(container.value, list):
            parts.append(f"[{len(container.value)}]")
        elif container.key is not _NOTHING:
            parts.append(f".{container.key}" if parts else str(container.key))
    return "".join(parts).lstrip(".") or "fichier"


def _check_tag(event: Any, fail: Any, path: str) -> None:
    tag = event.tag
    if tag is not None and tag != "!" and tag not in _SCALARS | _CONTAINERS:
        raise fail(f"YAML invalide : l'étiquette « {shown(tag)} » n'est pas acceptée (des données seulement)", event, path)


def _scalar(event: yaml.ScalarEvent, fail: Any, path: str) -> Any:
    _check_tag(event, fail, path)
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(ScalarNode, event.value, event.implicit) if tag is None else f"{_TAG}str"  # type: ignore[no-untyped-call]
    if tag in (f"{_TAG}str", f"{_TAG}timestamp") or tag not in _SCALARS:
        return event.value  # a date stays text: the library checks it, naming its field
    if tag in (f"{_TAG}int", f"{_TAG}float") and sum(c.isdigit() for c in event.value) > MAX_DIGITS:
        raise fail(f"valeur illisible : nombre de plus de {MAX_DIGITS} chiffres ({shown(event.value)})", event, path)
    try:
        value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, event.value))
    except (ValueError, yaml.YAMLError):
        raise fail(f"valeur illisible « {shown(event.value)} »", event, path) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(f"« {shown(event.value)} » n'est pas un nombre fini", event, path)
    return value


def _take_key(parent: _Container, key: Any, event: Any, fail: Any) -> None:
    if isinstance(key, (dict, list)):
        raise fail("une clé doit être un texte ou un nombre, pas un dictionnaire ni une liste", event)
    document = parent.value
    assert isinstance(document, Document)
    line = event.start_mark.line + 1
    if key in document.lines:
        raise fail(
            f"clé « {shown(key)} » donnée deux fois dans le même dictionnaire"
            f" (lignes {document.lines[key]} et {line}) : n'en garder qu'une",
            event,
            shown(key),
        )
    parent.key, parent.key_line = key, line


def _put(parent: _Container, value: Any, event: Any, fail: Any) -> None:
    document = parent.value
    assert isinstance(document, Document)
    key, parent.key = parent.key, _NOTHING
    if key == "<<" and isinstance(value, (dict, list)):  # a merge key: the mappings it names, below the own keys
        for merged in value if isinstance(value, list) else [value]:
            if not isinstance(merged, dict):
                raise fail("« << » fusionne un dictionnaire ou une liste de dictionnaires", event)
            parent.merged = {**merged, **parent.merged}
        return
    document.lines[key] = parent.key_line
    document[key] = value


def _merged(document: Document, merged: dict[Any, Any]) -> Document:
    """The mapping's own keys over those its ``<<`` brought (which keep no line of their own)."""
    result = Document(document.source)
    result.update({key: value for key, value in merged.items() if key not in document})
    result.update(document)
    result.lines.update(document.lines)
    return result
