"""The input patterns of ``vocabulaire.yaml`` (``motif``), restricted to regular expressions that
Python's backtracking engine matches in bounded time.

A pattern such as ``(a+)+$`` or ``(a|a)*b`` takes seconds on a 29-character code, and exponential
time as the code grows. A rule folder is data a user may send, so a pattern is analysed at load
(its parse tree, by the standard library's own parser) and refused unless:

* it has no backreference, lookaround, conditional, atomic group or possessive repeat;
* no repeat (``*``, ``+``, ``?``, ``{m,n}``) contains another repeat or an alternative (``|``);
* a repeat of variable length (``*``, ``+``, ``?``, ``{m,n}`` with m < n) repeats one character
  (a literal, a class ``[…]``, ``.`` or ``\\d``…), and the whole pattern has at most
  :data:`MAX_VARIABLE_REPEATS` of them;
* its alternatives, multiplied along the pattern, give at most :data:`MAX_PATHS` ways to match;
* it is at most :data:`MAX_PATTERN_LENGTH` characters long, its counts at most :data:`MAX_COUNT`.

Then each character of a value is tried a bounded number of ways: matching takes time at most
proportional to (the value's length) ** MAX_VARIABLE_REPEATS, times MAX_PATHS.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

try:  # the standard library's regular expression parser (its public name until 3.11 was sre_parse)
    import re._constants as _constants
    import re._parser as _parser
except ImportError:  # pragma: no cover
    import sre_constants as _constants  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

MAX_PATTERN_LENGTH = 200
MAX_COUNT = 100
MAX_VARIABLE_REPEATS = 2
MAX_PATHS = 256

_ONE_CHARACTER = {_constants.LITERAL, _constants.NOT_LITERAL, _constants.IN, _constants.ANY, _constants.CATEGORY}
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT}
_REFUSED = {
    "GROUPREF": "référence arrière (\\1)",
    "GROUPREF_EXISTS": "condition (?(1)…)",
    "ASSERT": "anticipation (?=…) ou rétrospection (?<=…)",
    "ASSERT_NOT": "anticipation négative (?!…) ou (?<!…)",
    "ATOMIC_GROUP": "groupe atomique (?>…)",
    "POSSESSIVE_REPEAT": "répétition possessive",
}


class PatternError(ValueError):
    """A pattern the loader refuses; the message says why, in French."""


def check_pattern(pattern: object) -> str:
    """``pattern`` if it is a regular expression matched in bounded time, else PatternError."""
    if not isinstance(pattern, str) or not pattern:
        raise PatternError("un texte non vide est attendu")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"{len(pattern)} caractères, au plus {MAX_PATTERN_LENGTH}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # « possible nested set »: a meaning Python may change
            re.compile(pattern)
            tree = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError, FutureWarning, DeprecationWarning) as error:
        raise PatternError(f"expression régulière invalide ({error})") from None
    variable = _Counter()
    paths = _paths(list(tree), inside_repeat=False, variable=variable)
    if variable.count > MAX_VARIABLE_REPEATS:
        raise PatternError(
            f"{variable.count} répétitions de longueur variable (*, +, ?, {{m,n}}), au plus {MAX_VARIABLE_REPEATS}"
        )
    if paths > MAX_PATHS:
        raise PatternError(f"trop d'alternatives (|) enchaînées : plus de {MAX_PATHS} façons de lire une valeur")
    return pattern


class _Counter:
    count = 0


def _paths(items: list[tuple[Any, Any]], inside_repeat: bool, variable: _Counter) -> int:
    """The ways a sequence may match (alternatives multiplied), checking each item on the way."""
    total = 1
    for op, argument in items:
        name = str(op)
        if name in _REFUSED:
            raise PatternError(f"{_REFUSED[name]} : refusé, la lecture pourrait être exponentiellement longue")
        if op in _REPEATS:
            low, high, body = argument
            if inside_repeat:
                raise PatternError("répétition dans une répétition, comme (a+)+ : lecture exponentiellement longue")
            if low > MAX_COUNT or (high is not _constants.MAXREPEAT and high > MAX_COUNT):
                raise PatternError(f"nombre de répétitions au-delà de {MAX_COUNT}")
            if low != high:
                variable.count += 1
                if not _one_character(list(body)):
                    raise PatternError(
                        "une répétition de longueur variable (*, +, ?, {m,n}) ne porte que sur un caractère"
                        " ou une classe [...]"
                    )
            _paths(list(body), inside_repeat=True, variable=variable)
        elif op is _constants.BRANCH:
            if inside_repeat:
                raise PatternError("alternative (|) dans une répétition, comme (a|a)* : lecture exponentiellement longue")
            total *= sum(_paths(list(alternative), inside_repeat, variable) for alternative in argument[1])
        elif op is _constants.SUBPATTERN:
            total *= _paths(list(argument[-1]), inside_repeat, variable)
        total = min(total, MAX_PATHS + 1)
    return total


def _one_character(items: list[tuple[Any, Any]]) -> bool:
    while len(items) == 1 and items[0][0] is _constants.SUBPATTERN:
        items = list(items[0][1][-1])
    return len(items) == 1 and items[0][0] in _ONE_CHARACTER
