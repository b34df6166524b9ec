"""The command line: ``cms-law evaluate``, ``cms-law batch``, ``cms-law rules``, ``cms-law serve``…

Exit codes: 0 success; 1 invalid input (every problem is printed, each naming its field);
2 wrong usage of the command; 3 invalid rule files or a failing rule (a defect to report);
4 ``batch`` only: some rows were rejected (each is in the errors file), the others evaluated;
5 ``check-contract`` only: the contract is not lawful, or cannot be shown to be;
70 an internal error of cms-law (a defect to report): one French line with its identifier
(``CMS_LAW_TRACEBACK=1`` prints the traceback too); for ``batch``, a row met one (the row is in the
errors file with its identifier, the others evaluated);
74 ``batch``: a results or errors file could not be written (full disk…): neither is left cut;
130 interrupted by Ctrl-C (for ``batch``, the results written so far are complete and valid);
141 the standard output was closed (``| head``): cms-law stopped quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import CmsLawError, InputError, Problem, RuleFileError, UsageError, internal_error_id
from .cli_french import FrenchParser, french_argparse
from .contract import check_contract
from .epci import evaluate_epci
from .evaluator import (
    conventions_from_pairs,
    evaluate,
    parse_date,
    parse_period,
    period_of_date,
    regime_for,
    resolve_conventions,
)
from .explain import french, input_error_as_dict, overlaps_as_data, rules_as_data, to_json
from .inputs import read_file
from .loader import load_rulebook
from .model import PROVENANCES, Citation, RuleBook
from .reforms import reformed_book

# batch (worker processes), compare, the legal test cases, the diff of results, history, the
# schemas, the server and the overlap search are imported by the commands that use them:
# « cms-law evaluate » starts without them (issue 17, start-up time).


EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_RULES = 3
EXIT_REJECTED = 4
EXIT_CONTRACT_REFUSED = 5
EXIT_INTERNAL = 70
EXIT_WRITE_FAILED = 74
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; what only one subcommand's own arguments or help need from a module that is
    long to import is imported when that subcommand is the one run (``command``)."""
    parser = FrenchParser(
        prog="cms-law",
        description="Objectifs SRU d'une commune (CCH L. 302-5, L. 302-8, L. 302-8-1), expliqués et cités.",
    )
    parser.add_argument(
        "--version", action="version", version=f"cms-law {__version__}", help="afficher la version de cms-law et quitter"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    evaluate_command = commands.add_parser(
        "evaluate", help="évaluer une commune décrite dans un fichier YAML ou JSON"
    )
    evaluate_command.add_argument("file", metavar="FICHIER", help="description de la commune (YAML ou JSON ; « - » : l'entrée standard)")
    _add_period_and_conventions(evaluate_command)
    evaluate_command.add_argument(
        "--date",
        metavar="AAAA-MM-JJ",
        help="évaluer la période triennale qui contient cette date, sous la loi qui la régit (au lieu de --period)",
    )
    evaluate_command.add_argument("--format", choices=("text", "json"), default="text", help="format de la sortie (défaut : text)")
    evaluate_command.add_argument(
        "--pourquoi-pas",
        action="store_true",
        help="lister aussi les règles examinées qui ne se sont pas appliquées, avec la condition en échec et"
        " les valeurs lues, et les conditions de dérogation non remplies",
    )

    epci_command = commands.add_parser(
        "evaluate-epci",
        help="évaluer les communes d'un EPCI ensemble : objectifs, planchers, mutualisation possible",
    )
    epci_command.add_argument("file", metavar="FICHIER", help="l'EPCI et la liste de ses communes (YAML ou JSON ; « - » : l'entrée standard)")
    _add_period_and_conventions(epci_command)
    epci_command.add_argument("--format", choices=("text", "json"), default="text", help="format de la sortie (défaut : text)")

    contract_command = commands.add_parser(
        "check-contract", help="vérifier un contrat de mixité sociale proposé : conforme, ou toutes ses violations"
    )
    contract_command.add_argument("file", metavar="FICHIER", help="le contrat, l'EPCI et ses communes (YAML ou JSON ; « - » : l'entrée standard)")
    _add_period_and_conventions(contract_command)
    contract_command.add_argument("--format", choices=("text", "json", "csv"), default="text", help="format de la sortie (défaut : text)")

    batch_command = commands.add_parser(
        "batch", help="évaluer toutes les communes d'un fichier CSV (un inventaire), une ligne par commune"
    )
    batch_command.add_argument("file", metavar="FICHIER.csv", help="une commune par ligne (voir le README)")
    _add_period_and_conventions(batch_command)
    batch_command.add_argument(
        "-o", "--output", metavar="SORTIE", help="fichier de résultats (défaut : la sortie standard)"
    )
    batch_command.add_argument(
        "--format", choices=_for(command, "batch", ".batch", "FORMATS", ()), default="csv", help="csv, ou json : un objet JSON par ligne (JSON lines)"
    )
    batch_command.add_argument(
        "--explain", action="store_true", help="ajouter l'explication complète de chaque commune"
    )
    batch_command.add_argument(
        "--errors", metavar="FICHIER", help="lignes rejetées (défaut : SORTIE.erreurs.csv, à côté des résultats)"
    )
    batch_command.add_argument(
        "--jobs", type=_positive, metavar="N", help="processus de calcul (défaut : tous les cœurs ; 1 : séquentiel)"
    )

    compare_command = commands.add_parser(
        "compare",
        help="l'effet d'une réforme sur un inventaire CSV : chaque commune sous la loi et sous la réforme, les totaux",
        description="Évalue chaque commune de l'inventaire sous la loi (ou un premier --regles) et sous la réforme"
        " (--reforme, --parametre, ou un second --regles) : la différence commune par commune, les totaux par"
        " département et au total, les communes dont le régime change, et un graphique SVG.",
    )
    compare_command.add_argument("file", metavar="INVENTAIRE.csv", help="une commune par ligne (comme cms-law batch)")
    _add_reform_options(compare_command, two_folders=True)
    _add_period_and_conventions(compare_command, reforms=False)
    compare_command.add_argument(
        "--grandeur", default=_for(command, "compare", ".compare", "DEFAULT_FIGURE", None), metavar="NOM", help="la grandeur comparée (défaut : objectif_triennal)"
    )
    compare_command.add_argument("--format", choices=_for(command, "compare", ".compare", "FORMATS", ()), default="text", help="format de la sortie (défaut : text)")
    compare_command.add_argument("-o", "--output", metavar="SORTIE", help="écrire le résultat dans ce fichier")
    compare_command.add_argument("--graphique", metavar="FICHIER.svg", help="écrire aussi l'histogramme des variations (SVG)")
    compare_command.add_argument("--jobs", type=_positive, metavar="N", help="processus de calcul (défaut : tous les cœurs)")

    results_diff_command = commands.add_parser(
        "diff-resultats",
        help="comparer deux résultats JSON : les chiffres qui diffèrent, la première étape du raisonnement où ils se séparent",
    )
    results_diff_command.add_argument("first", metavar="A.json", help="un résultat de cms-law … --format json")
    results_diff_command.add_argument("second", metavar="B.json", help="un autre résultat")
    results_diff_command.add_argument("--format", choices=("text", "json"), default="text", help="format de la sortie (défaut : text)")

    diff_command = commands.add_parser(
        "diff", help="ce qui a changé dans la loi encodée entre deux dates : règles et paramètres, avec leurs citations"
    )
    diff_command.add_argument("date_avant", metavar="DATE1", help="première date (AAAA-MM-JJ)")
    diff_command.add_argument("date_apres", metavar="DATE2", help="seconde date (AAAA-MM-JJ)")
    diff_command.add_argument("--format", choices=("text", "json"), default="text", help="format de la sortie (défaut : text)")

    history_command = commands.add_parser(
        "history", help="les objectifs d'une commune, période après période, chacune sous la loi qui la régit"
    )
    history_command.add_argument(
        "file", metavar="FICHIER", help="la commune, et ses données propres à chaque période sous « periodes » (YAML ou JSON ; « - » : l'entrée standard)"
    )
    history_command.add_argument(
        "--from", dest="first", metavar="AAAA-AAAA", help="première période (défaut : la première de la loi encodée)"
    )
    history_command.add_argument(
        "--to", dest="last", metavar="AAAA-AAAA", help="dernière période (défaut : celle des règles, 2023-2025)"
    )
    history_command.add_argument("--format", choices=("text", "json", "csv"), default="text", help="format de la sortie (défaut : text)")
    history_command.add_argument("--chart", metavar="FICHIER.svg", help="écrire aussi un graphique SVG des objectifs")
    _add_reform_options(history_command)
    history_command.add_argument(
        "--convention",
        action="append",
        default=[],
        metavar="NOM=OPTION",
        help="remplacer l'option d'une convention (voir « cms-law rules »), pour toutes les périodes",
    )

    test_command = commands.add_parser(
        "test",
        help="exécuter des fichiers de cas de test juridiques (format de tests/cas/ : voir le README)",
        description="Exécute les cas de test juridiques des fichiers et dossiers donnés ; code de sortie 0 si"
        " tous réussissent, 1 sinon (un fichier invalide est signalé, les autres sont exécutés).",
    )
    test_command.add_argument("paths", nargs="+", metavar="FICHIER|DOSSIER", help="fichiers de cas (YAML) ou dossiers")
    _add_reform_options(test_command)
    test_command.add_argument(
        "--format", choices=_for(command, "test", ".cases", "FORMATS", ()), default="text", help="text, json, ou junit (JUnit XML, pour l'intégration continue)"
    )

    rules_command = commands.add_parser("rules", help="lister les règles, leurs citations et leur validité")
    rules_command.add_argument("--format", choices=("text", "json"), default="text", help="format de la sortie (défaut : text)")
    rules_command.add_argument(
        "--verifier",
        action="store_true",
        help="chercher les règles qui peuvent conclure une même valeur ensemble, sans exception_de entre elles"
        " (code de sortie 3 si une paire est trouvée)",
    )

    schema_names = "\n".join(f"  {name:<20} {text}" for name, text in _for(command, "schema", ".schemas", "NAMES", {}).items())
    schema_command = commands.add_parser(
        "schema",
        help="afficher un schéma JSON (draft 2020-12) d'un fichier d'entrée, d'un résultat ou des fichiers de règles",
        epilog=f"schémas :\n{schema_names}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema_command.add_argument("name", metavar="NOM", help="le schéma (liste ci-dessous)")

    serve_command = commands.add_parser(
        "serve",
        help="servir l'API web et la page française (installer l'extra : pip install -e '.[serve]')",
    )
    host, port, max_body, max_rows = (
        _for(command, "serve", ".serve.settings", name, None)
        for name in ("DEFAULT_HOST", "DEFAULT_PORT", "DEFAULT_MAX_BODY", "DEFAULT_MAX_ROWS")
    )
    serve_command.add_argument("--host", default=host, help=f"adresse d'écoute (défaut : {host}, cette machine seule)")
    serve_command.add_argument("--port", type=_positive, default=port, help=f"port (défaut : {port})")
    serve_command.add_argument("--workers", type=_positive, default=1, metavar="N", help="processus serveurs (défaut : 1)")
    serve_command.add_argument(
        "--max-body", type=_positive, default=max_body, metavar="OCTETS",
        help=f"taille maximale du corps d'une requête (défaut : {max_body} octets)",
    )
    serve_command.add_argument(
        "--max-rows", type=_positive, default=max_rows, metavar="N",
        help=f"lignes au plus dans un lot envoyé à POST /lot (défaut : {max_rows})",
    )
    _add_reform_options(serve_command)
    return parser


def _add_reform_options(command: argparse.ArgumentParser, two_folders: bool = False) -> None:
    """--regles, --reforme, --parametre: evaluate under another reading than the law's (the result
    says so). ``two_folders``: --regles may be given twice (``compare``: one folder against another)."""
    group = command.add_argument_group(
        "réformes", "calculer sous une autre lecture que la loi encodée ; le résultat le dit en tête et dans son JSON"
    )
    if two_folders:
        group.add_argument(
            "--regles", action="append", default=[], metavar="DOSSIER",
            help="un dossier de règles : la réforme (comparée à la loi) ; deux : le premier comparé au second",
        )
    else:
        group.add_argument("--regles", metavar="DOSSIER", help="un autre dossier de règles, vérifié comme celui du paquet")
    group.add_argument(
        "--reforme", metavar="FICHIER", help="un fichier de réforme (YAML : paramètres et règles changés, justifiés ; voir le README)"
    )
    group.add_argument(
        "--parametre",
        action="append",
        default=[],
        metavar="NOM=VALEUR[@AAAA-MM-JJ]",
        help="remplacer la valeur d'un paramètre daté (toutes ses versions, ou à partir de la date donnée) ; répétable",
    )


def _book(arguments: argparse.Namespace) -> RuleBook:
    """The law, or the law changed by the reform options given."""
    return reformed_book(arguments.regles, arguments.reforme, arguments.parametre)


def _add_period_and_conventions(command: argparse.ArgumentParser, reforms: bool = True) -> None:
    if reforms:
        _add_reform_options(command)
    command.add_argument(
        "--period", metavar="AAAA-AAAA", help="période triennale (par défaut : celle des règles, 2023-2025)"
    )
    command.add_argument(
        "--convention",
        action="append",
        default=[],
        metavar="NOM=OPTION",
        help="remplacer l'option d'une convention (voir « cms-law rules »), ex. arrondi_objectifs=plus_proche",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"un nombre entier positif est attendu, reçu « {text} »")
    return int(text)


def _for(command: str | None, wanted: str, module: str, name: str, default: Any) -> Any:
    """``name`` from ``module`` (of this package) when the command run is ``wanted``, else
    ``default``: a module long to import is imported only by the command whose arguments need it.
    The server's settings need no web framework: « cms-law serve --help » works without the extra."""
    if command != wanted:
        return default
    return getattr(importlib.import_module(module, __package__), name)


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    words = list(sys.argv[1:] if argv is None else argv)
    # The top-level parser has no option taking a value: its first word not an option is the command.
    command = next((word for word in words if not word.startswith("-")), None)
    with french_argparse():
        arguments = _parser(command).parse_args(words)
    try:
        _check_options(arguments)
        code = COMMANDS[arguments.command](arguments, out)
        out.flush()  # a closed pipe is met here, not at the interpreter's exit
        return code
    except UsageError as error:
        print(f"cms-law {arguments.command} : {error.problemes[0]} ({error.problemes[0].recu})", file=sys.stderr)
        return EXIT_USAGE
    except InputError as error:
        _report_input_error(error, getattr(arguments, "format", "text"), out)
        return EXIT_USAGE if _misuse(error) else EXIT_INPUT
    except RuleFileError as error:
        print(f"cms-law : fichiers de règles invalides : {error}", file=sys.stderr)
        return EXIT_RULES
    except CmsLawError as error:
        print(f"cms-law : erreur d'évaluation : {error}", file=sys.stderr)
        return EXIT_RULES
    except BrokenPipeError:
        _silence(out)
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        print("cms-law : interrompu (Ctrl-C)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a defect of cms-law: never a traceback to a user, never exit 1
        return _report_internal_error(error)


def _report_internal_error(error: Exception) -> int:
    """One French line with the error's identifier, the same for the same defect (to report it)."""
    if os.environ.get("CMS_LAW_TRACEBACK") == "1":
        traceback.print_exception(error, file=sys.stderr)
    print(
        f"cms-law : erreur interne de cms-law (à signaler, identifiant {internal_error_id(error)},"
        f" {type(error).__name__}) ; CMS_LAW_TRACEBACK=1 affiche la trace",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def _check_options(arguments: argparse.Namespace) -> None:
    """The period, date and conventions typed, checked before any file is read: a wrong one is
    reported under its own name (not under each commune of an EPCI), as a misuse of the command."""
    period, day = getattr(arguments, "period", None), getattr(arguments, "date", None)
    pairs = getattr(arguments, "convention", [])
    if period is None and day is None and not pairs:
        return
    book = load_rulebook()
    if period is not None and day is not None:
        raise InputError([Problem("date", "donner --period ou --date, pas les deux", day)])
    if period is not None:
        regime_for(book, parse_period(book, period))
    if day is not None:
        period_of_date(book, parse_date(day))
    _, problems = resolve_conventions(book, conventions_from_pairs(pairs))
    if problems:
        raise InputError(problems)


#: The fields of the problems that lie in the command line (its options and arguments), not in
#: the user's file: the period, the date, the conventions, the periods of history, diff's dates.
_OPTION_FIELDS = frozenset({"--convention", "--from", "--to", "periode", "date", "avant", "apres"})


def _misuse(error: InputError) -> bool:
    """A problem in what was typed (``--convention arrondi``, ``--date`` with ``--period``) is a
    misuse of the command (exit 2), like the errors argparse reports, not an invalid input file."""
    # The period's own checks (L. 302-8, I, al. 2) run with each commune: « communes[1].periode ».
    return any(
        p.champ in _OPTION_FIELDS or p.champ.startswith("conventions.") or p.champ.endswith("].periode")
        for p in error.problemes
    )


def _report_input_error(error: InputError, output_format: str, out: TextIO) -> None:
    if output_format == "json":
        print(to_json(input_error_as_dict(error)), file=out)
    print(f"cms-law : {error}", file=sys.stderr)


def _evaluate(arguments: argparse.Namespace, out: TextIO) -> int:
    commune = read_file(arguments.file)
    result = evaluate(
        commune,
        arguments.period,
        conventions_from_pairs(arguments.convention),
        rulebook=_book(arguments),
        date=arguments.date,
        pourquoi_pas=arguments.pourquoi_pas,
    )
    out.write(result.to_json() + "\n" if arguments.format == "json" else result.texte())
    return 0


def _evaluate_epci(arguments: argparse.Namespace, out: TextIO) -> int:
    result = evaluate_epci(
        read_file(arguments.file), arguments.period, conventions_from_pairs(arguments.convention), rulebook=_book(arguments)
    )
    out.write(result.to_json() + "\n" if arguments.format == "json" else result.texte())
    return 0


def _check_contract(arguments: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 when the contract is lawful, 5 when it is not (or cannot be shown to be)."""
    result = check_contract(
        read_file(arguments.file), arguments.period, conventions_from_pairs(arguments.convention), rulebook=_book(arguments)
    )
    rendered = {"json": lambda: result.to_json() + "\n", "csv": result.csv, "text": result.texte}
    out.write(rendered[arguments.format]())
    return 0 if result.valide else EXIT_CONTRACT_REFUSED


def _batch(arguments: argparse.Namespace, out: TextIO) -> int:
    from . import batch

    summary = batch.run(
        arguments.file,
        arguments.output,
        periode=arguments.period,
        conventions=conventions_from_pairs(arguments.convention),
        output_format=arguments.format,
        explain=arguments.explain,
        errors_path=arguments.errors,
        jobs=arguments.jobs,
        stdout=out,
        stderr=sys.stderr,
        rulebook=_book(arguments),
    )
    if summary.stopped == batch.CLOSED_PIPE:
        _silence(out)
    codes = (
        (summary.stopped == batch.WRITE_FAILED, EXIT_WRITE_FAILED),
        (summary.stopped == batch.CLOSED_PIPE, EXIT_CLOSED_PIPE),
        (summary.interrupted, EXIT_INTERRUPTED),
        (bool(summary.internal_errors), EXIT_INTERNAL),
        (bool(summary.rule_failures), EXIT_RULES),
        (bool(summary.rejected), EXIT_REJECTED),
    )
    return next((code for failed, code in codes if failed), 0)


def _silence(out: TextIO) -> None:
    """Once its reader is gone, what is left in the output's buffer goes nowhere, without an error at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's StringIO)
        pass


def _compare(arguments: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 once the comparison is written (rows rejected are listed in it)."""
    folders = arguments.regles
    reformed = arguments.reforme is not None or bool(arguments.parametre)
    if len(folders) > 2 or (len(folders) == 2 and reformed) or (not folders and not reformed):
        raise InputError([Problem("--reforme", "comparer la loi à une réforme (--reforme, --parametre, ou un --regles),"
                                  " ou deux dossiers de règles (--regles A --regles B)")])
    if len(folders) == 2:
        before, after = reformed_book(folders[0]), reformed_book(folders[1])
    else:
        before = reformed_book(folders[0]) if folders and reformed else reformed_book()
        after = reformed_book(folders[0] if folders else None, arguments.reforme, arguments.parametre)
    from .compare import compare

    result = compare(
        arguments.file, before, after, periode=arguments.period,
        conventions=conventions_from_pairs(arguments.convention), grandeur=arguments.grandeur, jobs=arguments.jobs,
    )
    rendered = {"json": lambda: to_json(result.as_dict()) + "\n", "csv": result.to_csv, "text": result.texte}
    _write(arguments.output, "--output", rendered[arguments.format](), out)
    if arguments.graphique:
        _write(arguments.graphique, "--graphique", result.svg(), None)
    return 0


def _write(path: str | None, option: str, text: str, out: TextIO | None) -> None:
    if path is None:
        assert out is not None
        out.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError([Problem(option, f"écriture impossible : {error.strerror}", path)]) from None


def _results_diff(arguments: argparse.Namespace, out: TextIO) -> int:
    from .results_diff import diff_results

    result = diff_results(arguments.first, arguments.second)
    out.write(to_json(result.as_dict()) + "\n" if arguments.format == "json" else result.texte())
    return 0


def _diff(arguments: argparse.Namespace, out: TextIO) -> int:
    from .history import diff

    result = diff(arguments.date_avant, arguments.date_apres)
    out.write(result.to_json() + "\n" if arguments.format == "json" else result.texte())
    return 0


def _history(arguments: argparse.Namespace, out: TextIO) -> int:
    """The table (or JSON, CSV) of every period, even if some could not be evaluated (exit code 1)."""
    from .history import commune_history

    result = commune_history(
        read_file(arguments.file),
        arguments.first,
        arguments.last,
        conventions_from_pairs(arguments.convention),
        rulebook=_book(arguments),
    )
    if arguments.format == "json":
        out.write(result.to_json() + "\n")
    else:
        out.write(result.to_csv() if arguments.format == "csv" else result.texte())
    if arguments.chart:
        try:
            Path(arguments.chart).write_text(result.svg(), encoding="utf-8")
        except OSError as error:
            raise InputError([Problem("--chart", f"écriture impossible : {error.strerror}", arguments.chart)]) from None
    return 0 if result.complete else EXIT_INPUT


def _test(arguments: argparse.Namespace, out: TextIO) -> int:
    """Exit 0 when every case passes, 1 when one fails or a file is malformed."""
    from . import cases

    report = cases.run_paths(arguments.paths, _book(arguments))
    out.write(cases.render(report, arguments.format))
    return 0 if report.reussi else EXIT_INPUT


def _rules(arguments: argparse.Namespace, out: TextIO) -> int:
    book = load_rulebook()
    if arguments.verifier:
        return _verify(book, arguments.format, out)
    if arguments.format == "json":
        out.write(to_json(rules_as_data(book)) + "\n")
        return 0
    for rule in book.regles:
        _print_encoded(rule, rule.titre, rule.citations, out)
    print("\nConventions (là où le texte est muet ; modifiables par --convention NOM=OPTION) :", file=out)
    for convention in book.conventions.values():
        options = ", ".join(
            f"{name}{' (défaut)' if name == convention.defaut else ''}" for name in convention.options
        )
        print(f"{convention.nom} — {convention.titre} : {options}", file=out)
    print("\nDérogations (cms-law evaluate, evaluate-epci) :", file=out)
    for derogation in (*book.derogations, *book.derogations_epci):
        # Its conditions' and requirements' alinéas too: what an auditor checks it against.
        cited = tuple({citation.long: citation for citation in derogation.fondements}.values())
        _print_encoded(derogation, derogation.titre, cited, out)
    print("\nVérifications d'un contrat proposé (cms-law check-contract) :", file=out)
    for verification in book.verifications:
        _print_encoded(verification, verification.libelle, verification.citations, out)
    return 0


def _print_encoded(encoded: Any, title: str, citations: Sequence[Citation], out: TextIO) -> None:
    """One rule, derogation or verification: what it is, when in force, where written, what it cites."""
    end = french(encoded.validite.fin, "date") if encoded.validite.fin else "…"
    print(f"{encoded.id} — {title}", file=out)
    print(f"    en vigueur du {french(encoded.validite.debut, 'date')} au {end} ({encoded.fichier})", file=out)
    for citation in citations:
        print(f"    {citation.long} — {PROVENANCES[citation.provenance]}", file=out)


def _verify(book: RuleBook, output_format: str, out: TextIO) -> int:
    from .loader.overlaps import candidate_pairs, find_overlaps

    examined = sum(1 for _ in candidate_pairs(book))
    overlaps = find_overlaps(book)
    if output_format == "json":
        out.write(to_json(overlaps_as_data(examined, overlaps)) + "\n")
    else:
        print(f"{examined} paire(s) de règles en vigueur ensemble concluent un même nom sans exception_de entre elles.", file=out)
        for overlap in overlaps:
            first, second = overlap.premiere, overlap.seconde
            print(f"\n{first.id} ({first.fichier}) et {second.id} ({second.fichier}) — {', '.join(overlap.noms)},"
                  f" en vigueur ensemble le {french(overlap.jour, 'date')}", file=out)
            if overlap.temoin is None:
                print("    non vérifié : trop de combinaisons de valeurs à essayer", file=out)
                continue
            shown = ", ".join(f"{name} = {french(value, book.type_of(name)) if value is not None else 'inconnu'}"
                              for name, value in overlap.temoin.items())
            print(f"    s'appliquent toutes deux et concluent autrement quand : {shown or 'toujours'}", file=out)
        print("\nAucune paire ne peut s'appliquer ensemble en concluant autrement (voir rules/README.md : ce que la"
              " vérification prouve)." if not overlaps else f"\n{len(overlaps)} paire(s) à examiner.", file=out)
    return EXIT_RULES if overlaps else 0


def _schema(arguments: argparse.Namespace, out: TextIO) -> int:
    from .schemas import NAMES, schema

    if arguments.name not in NAMES:
        print(f"cms-law schema : schéma inconnu « {arguments.name} » (schémas : {', '.join(NAMES)})",
              file=sys.stderr)
        return EXIT_USAGE
    out.write(to_json(schema(arguments.name)) + "\n")
    return 0


def _serve(arguments: argparse.Namespace, out: TextIO) -> int:
    """Imported here only: the web server is an extra that a user of the library may not have."""
    try:
        from .serve import Settings, run
    except ImportError as error:
        print(
            f"cms-law serve : le module « {error.name} » manque : installer l'extra « serve »"
            " (pip install -e '.[serve]')",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = Settings(
        arguments.host, arguments.port, arguments.workers, arguments.max_body, arguments.max_rows,
        arguments.regles, arguments.reforme, tuple(arguments.parametre),
    )
    run(settings)
    return 0


#: Each subcommand's handler.
COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "evaluate": _evaluate,
    "evaluate-epci": _evaluate_epci,
    "check-contract": _check_contract,
    "batch": _batch,
    "compare": _compare,
    "diff": _diff,
    "diff-resultats": _results_diff,
    "history": _history,
    "rules": _rules,
    "test": _test,
    "schema": _schema,
    "serve": _serve,
}
