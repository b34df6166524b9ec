"""Starting the service with uvicorn: loopback by default, one or more worker processes.

uvicorn is the ASGI server the Starlette project documents; with ``workers`` > 1 it starts that
many processes, each building its own app (rules loaded and compiled once per process) from the
settings passed through the environment; with one, the app built to check the start is served.
"""

from __future__ import annotations

import os
import sys

import uvicorn
from starlette.types import ASGIApp

from .app import create_app
from .settings import ENVIRONMENT_VARIABLE, Settings


def application() -> ASGIApp:
    """The app of one worker process (uvicorn's factory)."""
    return create_app(settings=Settings.from_environment())


def run(settings: Settings) -> None:
    """Serve until Ctrl-C. The app is built here first: invalid rule files stop the start with
    their error (a worker process that cannot start would otherwise be restarted endlessly)."""
    os.environ[ENVIRONMENT_VARIABLE] = settings.to_environment()
    app = create_app(settings=settings)
    address = f"http://{settings.host if ':' not in settings.host else f'[{settings.host}]'}:{settings.port}"
    print(
        f"cms-law serve : la page {address}/, l'API {address}/documentation ({address}/openapi.json) ;"
        f" corps de {settings.max_body} octets au plus, lots de {settings.max_rows} lignes au plus. Ctrl-C arrête.",
        file=sys.stderr,
    )
    uvicorn.run(
        app if settings.workers == 1 else "cms_law.serve.server:application",
        factory=settings.workers > 1,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        # Errors are logged (with their id); one line per request would cost more than the request.
        access_log=False,
        log_level="info",
        server_header=False,
        # Bound to loopback by default and reading no client address: no proxy headers to trust.
        proxy_headers=False,
    )
