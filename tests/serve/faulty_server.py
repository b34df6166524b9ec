"""The real server with a handler that fails on one input, for the test of internal errors (500)."""

import sys
from typing import Any

from cms_law.cli import main
from cms_law.serve import handlers

evaluate = handlers.evaluate


def failing(book: Any, body: Any, query: Any = handlers.NO_QUERY) -> dict[str, Any]:
    if isinstance(body, dict) and body.get("nom") == "défaut simulé":
        raise ZeroDivisionError("défaut simulé")
    return evaluate(book, body, query)


handlers.evaluate = failing  # before the app is built: its route takes this handler
sys.exit(main(["serve", *sys.argv[1:]]))
