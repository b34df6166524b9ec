"""The errors the library raises. Every message is in French and names what is wrong."""

from __future__ import annotations

import errno
import hashlib
import reprlib
import traceback
from collections.abc import Sequence
from pathlib import Path

import attrs


class CmsLawError(Exception):
    """Base class of every error of the library."""


#: An error message quotes at most this many characters of a value it received.
QUOTE_LIMIT = 80
#: And is itself at most this long: a rule folder may be hostile, its errors stay readable.
MESSAGE_LIMIT = 2_000


#: repr with every part bounded: a value built of YAML aliases may be huge once expanded.
_SHORT_REPR = reprlib.Repr()  # (keyword arguments only from Python 3.12)
_SHORT_REPR.maxlevel, _SHORT_REPR.maxstring, _SHORT_REPR.maxother = 3, QUOTE_LIMIT, QUOTE_LIMIT
_SHORT_REPR.maxdict = _SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = _SHORT_REPR.maxset = 4


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A received value as an error message shows it: its repr, cut to a short prefix."""
    shown = _SHORT_REPR.repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}…"


class RuleFileError(CmsLawError):
    """A rule file is invalid. The message names the file, the line where it is known and, where
    there is one, the rule."""

    def __init__(self, fichier: str, message: str, element: str | None = None, ligne: int | None = None) -> None:
        self.fichier = fichier
        self.element = element
        self.ligne = ligne
        where = ", ".join(part for part in (fichier, f"ligne {ligne}" if ligne else None, element) if part)
        if len(message) > MESSAGE_LIMIT:
            message = f"{message[:MESSAGE_LIMIT]} […]"
        super().__init__(f"{where} : {message}")


@attrs.frozen
class Problem:
    """One thing wrong with the input: the field, what was expected, what was received."""

    champ: str
    message: str
    recu: object = None

    def __str__(self) -> str:
        return f"{self.champ} : {self.message}"


class InputError(CmsLawError):
    """The input is invalid. ``problemes`` lists every problem found, each naming its field."""

    def __init__(self, problemes: Sequence[Problem]) -> None:
        self.problemes = tuple(problemes)
        lines = "\n".join(f"  - {problem}" for problem in self.problemes)
        super().__init__(f"données d'entrée invalides :\n{lines}")

    @property
    def champs(self) -> tuple[str, ...]:
        return tuple(problem.champ for problem in self.problemes)


class UsageError(InputError):
    """Options that contradict each other, found before anything is read or written (exit code 2)."""

    def __init__(self, option: str, message: str, value: str) -> None:
        super().__init__([Problem(option, message, value)])


#: Characters of a received value a message quotes, at most: a value may be a whole file.
SHOWN_LENGTH = 40


def shown(value: object) -> str:
    """A received value as a message quotes it: a short prefix of its text, never a whole file."""
    if isinstance(value, dict):
        return f"un dictionnaire de {len(value)} clé(s)"
    if isinstance(value, (list, tuple, set)):
        return f"une liste de {len(value)} élément(s)"
    text = value if isinstance(value, str) else _text_of(value)
    return text if len(text) <= SHOWN_LENGTH else f"{text[:SHOWN_LENGTH]}… ({len(text)} caractères)"


def _text_of(value: object) -> str:
    try:
        return str(value)
    except ValueError:  # an integer of more than 4 300 digits
        return f"un nombre de plus de {SHOWN_LENGTH} chiffres"


def internal_error_id(error: BaseException) -> str:
    """``E-`` and 8 hexadecimal digits, drawn from the exception's type and the places of its
    traceback: the same defect gets the same identifier, in every run and every process."""
    places = [f"{Path(frame.filename).name}:{frame.name}:{frame.lineno}" for frame in traceback.extract_tb(error.__traceback__)]
    digest = hashlib.sha256("|".join([type(error).__qualname__, *places]).encode()).hexdigest()
    return f"E-{digest[:8].upper()}"


class EvaluationError(CmsLawError):
    """A rule failed while being evaluated. The message names the rule and its file."""

    def __init__(self, regle: str, message: str) -> None:
        self.regle = regle
        super().__init__(f"règle {regle} : {message}")


class RuleConflictError(EvaluationError):
    """Two rules with no priority between them gave a value to the same quantity."""

    def __init__(self, variable: str, regles: Sequence[str], citations: Sequence[str]) -> None:
        self.variable = variable
        self.regles = tuple(regles)
        self.citations = tuple(citations)
        described = " et ".join(f"{rule} ({citation})" for rule, citation in zip(regles, citations))
        super().__init__(
            regles[0],
            f"conflit sur « {variable} » : les règles {described} s'appliquent toutes deux et aucune"
            " n'est déclarée exception de l'autre",
        )


#: The reasons a file cannot be read or written that a user meets most, in French.
_OS_REASONS = {
    "ENOSPC": "plus de place sur le disque",
    "EDQUOT": "quota de disque dépassé",
    "EACCES": "permission refusée",
    "EPERM": "opération non permise",
    "ENOENT": "fichier ou dossier introuvable",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EISDIR": "c'est un dossier",
    "EROFS": "système de fichiers en lecture seule",
    "EPIPE": "tube fermé",
    "EIO": "erreur d'entrée-sortie du disque",
    "EFBIG": "fichier trop grand",
}


def os_reason(error: OSError) -> str:
    """Why a file operation failed, in French where the reason is a common one."""
    name = errno.errorcode.get(error.errno or 0, "")
    return _OS_REASONS.get(name) or error.strerror or str(error)
