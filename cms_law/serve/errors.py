"""Every error a request can meet, mapped in one place to an HTTP status and a French body.

The body is always the one of ``--format json`` for an invalid input: ``{"erreurs": [{"champ",
"message"}]}``, each problem naming its field. The library's :class:`InputError` gives 422 with
its problems unchanged; a request the service cannot read (malformed JSON, wrong content type,
too large, unknown path) a 4xx saying what to send; anything else a 500 whose body holds an
error id, the traceback going to the server's log under that id, never to the client.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from ..errors import CmsLawError, InputError, RuleFileError
from ..explain import input_error_as_dict

LOG = logging.getLogger("cms_law.serve")

BAD_REQUEST = 400
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
TOO_LARGE = 413
UNSUPPORTED_MEDIA_TYPE = 415
UNPROCESSABLE = 422
INTERNAL = 500


class RequestError(Exception):
    """A request the service cannot take as it is: its status and the problem, in French."""

    def __init__(self, status: int, champ: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.champ = champ
        self.message = message


def problems(status: int, champ: str | None, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"erreurs": [{"champ": champ, "message": message}]}


def not_found(path: str) -> tuple[int, dict[str, Any]]:
    return problems(NOT_FOUND, "chemin", f"aucune ressource à « {path} » (les chemins sont décrits par /openapi.json)")


def method_not_allowed(method: str, path: str) -> tuple[int, dict[str, Any]]:
    return problems(METHOD_NOT_ALLOWED, "méthode", f"la méthode {method} n'est pas acceptée sur {path} (voir /openapi.json)")


def response_for(error: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and the body answering ``error``; an unexpected one is logged with its id."""
    if isinstance(error, InputError):
        return UNPROCESSABLE, input_error_as_dict(error)
    if isinstance(error, RequestError):
        return problems(error.status, error.champ, error.message)
    identifier = uuid.uuid4().hex[:12]
    if isinstance(error, (RuleFileError, CmsLawError)):
        # A rule that fails on this input: a defect of the rules, to report with the input.
        LOG.error("erreur des règles %s : %s", identifier, error)
        message = f"erreur d'évaluation, défaut des règles à signaler (identifiant {identifier}) : {error}"
    else:
        LOG.error("erreur interne %s", identifier, exc_info=error)
        message = f"erreur interne du service, à signaler avec l'identifiant {identifier}"
    status, body = problems(INTERNAL, None, message)
    return status, {**body, "identifiant": identifier}
