"""The errors the library raises. Every message is in French and names what is wrong."""

from __future__ import annotations

from collections.abc import Sequence

import attrs


class CmsLawError(Exception):
    """Base class of every error of the library."""


class RuleFileError(CmsLawError):
    """A rule file is invalid. The message names the file and, where there is one, the rule."""

    def __init__(self, fichier: str, message: str, element: str | None = None) -> None:
        self.fichier = fichier
        self.element = element
        where = f"{fichier}, {element}" if element else fichier
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
