"""``cms-law serve``: the law as a web service, and a French page (the extra ``[serve]``).

The service computes no law itself: each endpoint calls the library's own functions and answers
exactly the JSON of the command line's ``--format json``. ``settings`` holds the limits,
``handlers`` the endpoints as plain functions of a rule book and a body, ``catalogue`` what is
built once at start (rules, texts of the alinéas, schemas, OpenAPI document), ``errors`` the one
mapping of errors to HTTP answers, ``app`` the routes (the only module that imports Starlette),
``server`` the uvicorn start.
"""

from __future__ import annotations

MISSING_EXTRA = (
    "le serveur web n'est pas installé (Starlette et uvicorn) : pip install -e '.[serve]'"
    " dans le dépôt, ou pip install 'cms-law[serve]'"
)

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as error:  # pragma: no cover - the tests install the extra
    raise ImportError(MISSING_EXTRA) from error

from .app import create_app
from .server import run
from .settings import Settings

__all__ = ["MISSING_EXTRA", "Settings", "create_app", "run"]
