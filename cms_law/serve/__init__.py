"""``cms-law serve``: the law as a web service, and a French page (the extra ``[serve]``).

The service computes no law itself: each endpoint calls the library's own functions and answers
exactly the JSON of the command line's ``--format json``. ``settings`` holds the limits,
``handlers`` the endpoints as plain functions of a rule book and a body, ``catalogue`` what is
built once at start (rules, texts of the alinéas, schemas, OpenAPI document), ``errors`` the one
mapping of errors to HTTP answers, ``app`` the routes (the only module that imports Starlette),
``server`` the uvicorn start.
"""

from __future__ import annotations

from typing import Any

from .settings import Settings

MISSING_EXTRA = (
    "le serveur web n'est pas installé (Starlette et uvicorn) : pip install -e '.[serve]'"
    " dans le dépôt, ou pip install 'cms-law[serve]'"
)

__all__ = ["MISSING_EXTRA", "Settings", "create_app", "run"]


def __getattr__(name: str) -> Any:
    """``create_app`` and ``run`` import the web framework on first use, naming the extra if it is missing."""
    if name not in ("create_app", "run"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from .app import create_app
        from .server import run
    except ImportError as error:
        if error.name and error.name.split(".")[0] in ("starlette", "uvicorn", "anyio"):
            raise ImportError(MISSING_EXTRA) from error
        raise
    return {"create_app": create_app, "run": run}[name]
