"""The views of a result — French text, JSON-ready data, CSV — drawn by renderers registered here.

A result offers ``texte()``, ``as_dict()`` and ``to_json()`` (a contract also ``csv()``) for its
caller's convenience, yet the data model must not import the presentation. So a result asks this
registry for its view, and :mod:`cms_law.explain` fills the registry when it is imported (``import
cms_law`` imports it, and every ``cms_law.…`` import runs ``cms_law`` first): the model names a
view, the presentation draws it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

_RENDERERS: dict[tuple[type, str], Callable[..., Any]] = {}


def register(kind: type, view: str, renderer: Callable[..., Any]) -> None:
    """Let ``renderer(result, …)`` draw the ``view`` of the results of class ``kind``."""
    _RENDERERS[kind, view] = renderer


def render(result: object, view: str, *arguments: Any) -> Any:
    """The ``view`` of ``result``, drawn by the renderer registered for its class."""
    try:
        renderer = _RENDERERS[type(result), view]
    except KeyError:
        raise LookupError(f"no renderer for {type(result).__name__}.{view}: import cms_law.explain") from None
    return renderer(result, *arguments)


def to_json(data: Any, indent: int | None = 2) -> str:
    """JSON-ready data as JSON text, accented letters kept as they are.

    The indented form is written by orjson at a tenth of the standard module's cost (indenting a
    full explanation in pure Python took longer than computing it), byte for byte as
    ``json.dumps(…, ensure_ascii=False, indent=2)`` writes it, which remains the definition of the
    format. orjson writes binary numbers differently (``1e-5``, and ``null`` for NaN), refuses
    integers beyond 64 bits, keys that are not text and lone surrogates: data holding anything but
    plain dicts, lists, texts, integers, booleans and nulls — which a result never does — is
    written by the standard module. So is the compact form (JSON lines), whose separators orjson
    cannot write.
    """
    if indent == 2 and (type(data) is ResultData or _plain(data)):
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()
        except TypeError:
            pass
    return json.dumps(data, ensure_ascii=False, indent=indent)


class ResultData(dict):  # type: ignore[type-arg]
    """What a result's ``as_dict()`` returns: a dict as its renderer wrote it, of texts, integers,
    booleans, nulls, lists and dicts only (exact numbers are decimal texts, never floats), so that
    :func:`to_json` need not walk it to know that orjson writes it as the standard module does
    (the walk cost more than orjson's writing). A test holds every result's data to this."""

    __slots__ = ()


_PLAIN_LEAVES = frozenset({str, int, bool, type(None)})


def _plain(data: Any) -> bool:
    pending = [data]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is dict:
            pending.extend(value.values())
        elif kind is list or kind is tuple:
            pending.extend(value)
        elif kind not in _PLAIN_LEAVES:
            return False
    return True


class Rendered:
    """The views every result offers, each drawn by the renderer registered for its class."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: exact numbers as decimal strings, dates in ISO form."""
        return ResultData(render(self, "as_dict"))

    def to_json(self, indent: int | None = 2) -> str:
        """The result as JSON text (:meth:`as_dict`)."""
        return to_json(self.as_dict(), indent)

    def texte(self) -> str:
        """The result and its reasoning, in French."""
        text: str = render(self, "texte")
        return text
