"""The service's settings: where it listens and the limits a request must stay within."""

from __future__ import annotations

import json
import os

import attrs

from ..cli import DEFAULT_HOST, DEFAULT_MAX_BODY, DEFAULT_MAX_ROWS, DEFAULT_PORT

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

    def to_environment(self) -> str:
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_environment(cls) -> Settings:
        raw = os.environ.get(ENVIRONMENT_VARIABLE)
        return cls(**json.loads(raw)) if raw else cls()
