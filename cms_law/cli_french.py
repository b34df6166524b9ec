"""argparse in French: the command line's usage, help and errors, for every subcommand.

argparse writes its own words (« usage: », « positional arguments », « the following arguments
are required ») through gettext, and Python ships no French catalogue for it. Its messages are
looked up, at the moment they are written, through the module's ``_`` and ``ngettext``:
:func:`french_argparse` points them to the table below while the command line is built and read,
and puts them back afterwards, so that a program embedding cms-law keeps its own argparse as it
was. A message missing from the table (a newer Python's) stays in English: the tests list every
message this Python's argparse can send to a user of cms-law.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

#: argparse's messages (its gettext identifiers, Python 3.11 to 3.13), in French.
MESSAGES = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels",
    "options": "options",
    "optional arguments": "options",
    "subcommands": "sous-commandes",
    "%(heading)s:": "%(heading)s :",
    " (default: %(default)s)": " (défaut : %(default)s)",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version de cms-law et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s : avertissement : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur %r ignorée",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "une valeur au plus est attendue",
    "expected at least one argument": "une valeur au moins est attendue",
    "expected %s argument": "%s valeur attendue",
    "expected %s arguments": "%s valeurs attendues",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "unexpected option string: %s": "option inattendue : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande inconnue %(parser_name)r (commandes : %(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "argument '%(argument_name)s' is deprecated": "l'argument « %(argument_name)s » est obsolète",
    "option '%(option)s' is deprecated": "l'option « %(option)s » est obsolète",
    "command '%(parser_name)s' is deprecated": "la commande « %(parser_name)s » est obsolète",
}


def _french(message: str) -> str:
    return MESSAGES.get(message, message)


def _french_plural(singular: str, plural: str, count: int) -> str:
    return _french(singular if count == 1 else plural)


@contextlib.contextmanager
def french_argparse() -> Iterator[None]:
    """argparse speaks French inside the block (building the parser, parsing, printing help)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _french, _french_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


#: « argument COMMANDE : choix invalide : 'x' (choix possibles : 'evaluate', 'batch') »
_UNKNOWN_COMMAND = re.compile(r"argument (?P<name>\S+) : choix invalide : '(?P<value>.*)' \(choix possibles : (?P<choices>.*)\)$")


class _FrenchSections(argparse.HelpFormatter):
    """« options : », with the space French puts before a colon (Python 3.13 translates the
    heading's format, « %(heading)s: »; 3.11 and 3.12 write the colon right after the title)."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(heading if sys.version_info >= (3, 13) or heading is None else f"{heading} ")


class FrenchHelpFormatter(_FrenchSections, argparse.HelpFormatter):
    pass


class FrenchRawDescriptionHelpFormatter(_FrenchSections, argparse.RawDescriptionHelpFormatter):
    pass


class FrenchParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are French sentences, values between French quotes."""

    #: The metavar of the subcommands' positional argument, named in « la commande … est inconnue ».
    command_metavar = "COMMANDE"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        if kwargs.get("formatter_class") is argparse.RawDescriptionHelpFormatter:
            kwargs["formatter_class"] = FrenchRawDescriptionHelpFormatter
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help=_french("show this help message and exit"))

    def error(self, message: str) -> NoReturn:
        unknown = _UNKNOWN_COMMAND.match(message)
        if unknown and unknown["name"] == self.command_metavar:
            choices = unknown["choices"].replace("'", "")
            message = f"la commande « {unknown['value']} » est inconnue ; commandes : {choices}"
        else:
            message = re.sub(r"'([^']*)'", r"« \1 »", message)
        super().error(message)
