"""The service's settings: where it listens and the limits a request must stay within.

No web framework here: the command line reads these defaults for ``cms-law serve --help``, also
where the extra ``[serve]`` is not installed.
"""

from __future__ import annotations

import json
import os

import attrs

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: 10 Mio: a CSV of the 35 000 communes of France is about 4 Mio.
DEFAULT_MAX_BODY = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000

#: How the settings reach each worker process that uvicorn starts (one JSON object).
ENVIRONMENT_VARIABLE = "CMS_LAW_SERVE_SETTINGS"


@attrs.frozen
class Settings:
    """Where the server listens and what it accepts. Loopback only by default."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    #: The largest request body accepted, in bytes (413 beyond).
    max_body: int = DEFAULT_MAX_BODY
    #: The most rows a CSV sent to POST /lot may hold (413 beyond).
    max_rows: int = DEFAULT_MAX_ROWS
    #: The reform every answer is computed under, chosen by whoever starts the service (never by a
    #: request): another rules folder, a reform file, parameters ``NOM=VALEUR[@AAAA-MM-JJ]``.
    regles: str | None = None
    reforme: str | None = None
    parametres: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def to_environment(self) -> str:
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_environment(cls) -> Settings:
        raw = os.environ.get(ENVIRONMENT_VARIABLE)
        return cls(**json.loads(raw)) if raw else cls()
