"""Reading rule files: the safe YAML loader, and the strict reader every loading step uses.

A rule file is data written by legal experts, never code: it is parsed by PyYAML's safe loader
(libyaml's when available). :class:`Reader` reads one mapping of it strictly: an unknown key, a
missing key or a value of the wrong kind is a :class:`~cms_law.errors.RuleFileError` that names
the file and the element being read (« règle L302-8.VII.1° »).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import yaml

from .. import expressions
from . import cache
from ..errors import RuleFileError, quoted
from ..model import Period

if TYPE_CHECKING:  # annotations only (see cms_law.loader.rules_root)
    from importlib.resources.abc import Traversable

#: The value types a variable, a parameter or an input field may have.
TYPES = ("booleen", "entier", "annee", "taux", "points", "nombre", "texte", "date")
#: Those of them that are numbers (a total, a chart's bars).
NUMBER_TYPES = ("entier", "annee", "taux", "points", "nombre")


#: libyaml's C parser when PyYAML has it (about ten times faster: start-up reads every rule
#: file), else the pure Python one; both are the safe loader.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What one rule folder may hold (documented in rules/README.md, « Limites »): a rule folder is
# data a user may send, and reading it stays bounded in time and memory.
#: Bytes of one rule file.
MAX_FILE_BYTES = 1_048_576
#: Article version files in one folder.
MAX_ARTICLE_FILES = 500
#: Nesting of mappings and lists in a file (the shipped files nest 7 deep), aliases expanded.
MAX_NESTING = 20
#: Values (mappings, lists, texts, numbers) in a file once its aliases are expanded.
MAX_NODES = 100_000
#: Characters of one text.
MAX_TEXT = 20_000


class Located(dict):  # type: ignore[type-arg]
    """A mapping read from a rule file, with the line where it starts and the line of each key."""

    line: int = 0
    lines: dict[Any, int]


class _Constructor(yaml.constructor.SafeConstructor):
    """The safe constructor, keeping lines, refusing duplicate keys and impossible dates by line."""

    def construct_located(self, node: yaml.MappingNode) -> Iterable[Located]:
        data = Located()
        yield data
        self.flatten_mapping(node)
        data.line, data.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in data.lines
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "clé d'un type inadmissible (une liste ou un dictionnaire)", key_node.start_mark
                ) from None
            line = key_node.start_mark.line + 1
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"clé « {quoted(key)} » en double (déjà ligne {data.lines[key]})", key_node.start_mark
                )
            data.lines[key] = line
            data[key] = self.construct_object(value_node, deep=True)

    def construct_date(self, node: yaml.ScalarNode) -> object:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"date impossible {quoted(node.value)} ({error})", node.start_mark
            ) from None


_Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_located)  # type: ignore[type-var]
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_date)  # type: ignore[type-var]


_CParser: Any
try:
    from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined,no-redef]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

if _CParser is not None:

    class _RuleFileLoader(_CParser, _Constructor, yaml.resolver.Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Constructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _RuleFileLoader(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Constructor,
        yaml.resolver.Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Constructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def fingerprint(files: Mapping[str, bytes]) -> str:
    """The fingerprint of the rule files loaded: sha256 over, for each file in the order of its
    path relative to the folder (``cch/L302-8/2022-02-23.yaml``), that path in UTF-8, a zero byte
    and the sha256 of its bytes. Independent of the machine, the folder's place and hash seeds."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def load_yaml(resource: Traversable, name: str, files: dict[str, bytes] | None = None) -> Any:
    """A rule file's contents, its mappings :class:`Located`; a file that is too large, not UTF-8,
    not valid YAML or beyond the limits above is an error naming the file and the line.
    ``files``, when given, records the bytes read under ``name`` (for :func:`fingerprint`)."""
    # A named pipe or a device would block or never end: only plain files are read.
    if not resource.is_file():
        raise RuleFileError(name, "fichier absent (ou qui n'est pas un fichier ordinaire)")
    try:
        with resource.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise RuleFileError(name, f"lecture impossible ({error.strerror or type(error).__name__})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise RuleFileError(name, f"fichier trop grand : plus de {MAX_FILE_BYTES} octets")
    if files is not None:
        files[name] = raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise RuleFileError(
            name, f"le fichier n'est pas en UTF-8 (octet {raw[error.start]:#04x} en position {error.start + 1})", ligne=line
        ) from None
    found, contents = cache.read(raw, Located)
    if found:
        return contents
    contents = _parse(text, name)
    cache.write(raw, contents)
    return contents


def _parse(text: str, name: str) -> Any:
    loader = _RuleFileLoader(text)
    try:
        aliases = _check_events(loader, name)
        loader.dispose()
        loader = _RuleFileLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        if aliases:
            _check_expanded(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "YAML invalide"
        if "nesting depth" in problem:  # libyaml's own limit (1 000), met while reading ahead
            problem = f"imbrication de plus de {MAX_NESTING} niveaux"
        raise RuleFileError(name, f"YAML invalide : {quoted(problem, 200)[1:-1]}", ligne=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise RuleFileError(name, f"YAML invalide : {quoted(str(error), 200)}") from None
    finally:
        loader.dispose()


def _check_events(loader: Any, name: str) -> bool:
    """Before anything is built (libyaml's composer recurses in C: 100 000 nested « [ » crash
    the process), the parser's events: the nesting and size as written, each text's length.
    Whether the file has aliases (only then can it expand beyond what is written)."""
    depth = count = 0
    aliases = False
    while loader.check_event():
        event = loader.get_event()
        count += 1
        if count > MAX_NODES:
            raise RuleFileError(name, f"plus de {MAX_NODES} valeurs", ligne=_line(event.start_mark))
        if isinstance(event, yaml.AliasEvent):
            aliases = True
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise RuleFileError(name, f"imbrication de plus de {MAX_NESTING} niveaux", ligne=_line(event.start_mark))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_TEXT:
            raise RuleFileError(
                name, f"texte de {len(event.value)} caractères, au plus {MAX_TEXT}", ligne=_line(event.start_mark)
            )
    return aliases


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _check_expanded(root: yaml.Node, name: str) -> None:
    """The document as its aliases expand it: at most MAX_NODES values, MAX_NESTING deep, no
    alias inside what it names. Each node is weighed once (a DAG walk), so an « alias bomb » of
    a few kilobytes that would expand to billions of values is refused in linear time."""
    weights: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        children = _children(node)
        if finished:
            open_nodes.discard(id(node))
            size = 1 + sum(weights[id(child)][0] for child in children)
            depth = 1 + max((weights[id(child)][1] for child in children), default=0)
            line = node.start_mark.line + 1
            if size > MAX_NODES:
                raise RuleFileError(name, f"plus de {MAX_NODES} valeurs une fois les alias YAML développés", ligne=line)
            if depth > MAX_NESTING + 1:
                raise RuleFileError(name, f"imbrication de plus de {MAX_NESTING} niveaux une fois les alias YAML développés", ligne=line)
            weights[id(node)] = (size, depth)
            continue
        if id(node) in weights:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise RuleFileError(name, "alias YAML à l'intérieur de ce qu'il désigne", ligne=child.start_mark.line + 1)
            if id(child) not in weights:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


class Reader:
    """Reads one YAML mapping strictly: unknown keys and missing required keys are errors."""

    def __init__(self, fichier: str, element: str | None = None, line: int | None = None) -> None:
        self.fichier = fichier
        self.element = element
        #: The line of the mapping last read, and of each of its keys (when read from a file).
        self.line = line
        self.lines: Mapping[Any, int] = {}

    def error(self, message: str, key: str | None = None) -> RuleFileError:
        """An error naming the file, the element and the line: of ``key`` (or the first part of a
        dotted ``what`` such as ``alors.taux``) in the mapping last read, else of that mapping."""
        line = self.lines.get(key.split(".")[0]) if key else None
        return RuleFileError(self.fichier, message, self.element, line or self.line)

    def mapping(
        self, data: object, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> Mapping[str, Any]:
        if isinstance(data, Located) and not self.lines:  # the element's own mapping, not one inside it
            self.line, self.lines = data.line, data.lines
        if not isinstance(data, Mapping):
            raise self.error(f"{what} : un dictionnaire est attendu, reçu {type(data).__name__}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            raise self.error(
                f"{what} : champ(s) inconnu(s) {', '.join(unknown)}"
                f" (autorisés : {', '.join(sorted(allowed))})"
            )
        missing = [key for key in required if key not in data]
        if missing:
            raise self.error(f"{what} : champ(s) obligatoire(s) manquant(s) {', '.join(missing)}")
        return data

    def text(self, value: object, what: str, optional: bool = False, strip: bool = True) -> str:
        """A non-empty text; ``strip=False`` keeps the spaces at its ends (a fragment of a sentence)."""
        if value is None and optional:
            return None  # type: ignore[return-value]
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{what} : un texte non vide est attendu, reçu {quoted(value)}", what)
        return value.strip() if strip else value

    def date(self, value: object, what: str, optional: bool = False) -> dt.date:
        if value is None and optional:
            return None  # type: ignore[return-value]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f"{what} : une date AAAA-MM-JJ est attendue, reçu {quoted(value)}", what)

    def period(self, debut: object, fin: object) -> Period:
        """A validity from its two ends (``fin`` may be empty: still in force)."""
        period = Period(self.date(debut, "debut"), self.date(fin, "fin", optional=True))
        if period.fin is not None and period.fin < period.debut:
            raise self.error(f"validité vide : fin {period.fin} avant début {period.debut}")
        return period

    def entries(self, value: object, what: str) -> Iterable[tuple[str, Any]]:
        """The items of an optional mapping section (``parametres``, ``variables``…)."""
        if value is None:
            return ()
        return [(str(key), item) for key, item in self.mapping(value, what, [], value).items()]  # type: ignore[arg-type]

    def sequence(self, value: object, what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{what} : une liste est attendue, reçu {type(value).__name__}", what)
        return value

    def expression(self, source: object, what: str) -> expressions.Expression:
        try:
            return expressions.parse(source)  # type: ignore[arg-type]
        except expressions.ExpressionSyntaxError as error:
            raise self.error(f"{what} : expression invalide : {error}", what) from None

    def literal(self, value: object, what: str, kind: str) -> expressions.Value:
        """A typed literal value of a parameter or a default (``33 %``, ``2``, ``vrai``)."""
        if isinstance(value, bool):
            parsed: expressions.Value = value
        elif isinstance(value, int):
            parsed = value
        elif isinstance(value, (dt.date, str)) and kind == "date":
            return self.date(value, what)
        elif isinstance(value, str) and kind == "texte":
            return value
        elif isinstance(value, str):
            try:
                parsed = expressions.literal(value)
            except (expressions.ExpressionSyntaxError, expressions.ExpressionError) as error:
                raise self.error(f"{what} : valeur invalide {quoted(value)} ({error})", what) from None
        else:
            raise self.error(f"{what} : valeur invalide {quoted(value)} (écrire les décimaux entre guillemets)", what)
        expected = {"booleen": bool, "entier": int, "annee": int, "texte": str}
        if kind in expected and not (
            isinstance(parsed, expected[kind]) and (kind == "booleen") == isinstance(parsed, bool)
        ):
            raise self.error(f"{what} : une valeur de type {kind} est attendue, reçu {quoted(value)}", what)
        return parsed


def pairs(items: list[Any]) -> Iterable[tuple[Any, Any]]:
    """Every two items of a list, each pair once (to find overlapping validities)."""
    for index, first in enumerate(items):
        for second in items[index + 1 :]:
            yield first, second
