"""The routes of the service (French paths), the reading of request bodies, and their limits.

The only module that imports the web framework. Starlette: a small, well-kept ASGI toolkit whose
routes are plain functions, with streaming responses (POST /lot) and static files, and no
validation layer of its own to disagree with the library's French errors. Each endpoint reads
the body within the size limit, parses it as JSON or YAML (never as anything that can run code),
calls a handler in a worker thread with the service's rule book, and answers the handler's dict
through the same ``to_json`` as the command line. Any error becomes an answer here, through
:func:`errors.response_for`: a request never ends the server.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..documents import parse_document
from ..errors import InputError
from ..explain import to_json
from ..loader import load_rulebook
from ..reforms import reformed_book
from ..model import RuleBook
from ..schemas import NAMES
from . import errors, handlers
from .catalogue import Catalogue, build_catalogue
from .errors import BAD_REQUEST, NOT_FOUND, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, RequestError
from .settings import Settings

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
CSV_TYPES = ("text/csv", "application/csv", "text/plain")
#: Sent with every page: scripts, styles and requests of the page's own origin only.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
}

Handler = Callable[[RuleBook, Any, handlers.Query], dict[str, Any]]


class _Static(StaticFiles):
    """The page's script and style, revalidated on each load: a new version of the package is
    never run with an old script kept in a browser's cache."""

    def file_response(self, *arguments: Any, **options: Any) -> Response:
        response = super().file_response(*arguments, **options)
        response.headers["Cache-Control"] = "no-cache"
        return response


def json_body(data: Any) -> bytes:
    """The body ``cms-law … --format json`` prints, byte for byte."""
    return (to_json(data) + "\n").encode("utf-8")


def json_response(data: Any, status: int = 200) -> Response:
    return Response(data if isinstance(data, bytes) else json_body(data), status_code=status, media_type="application/json")


def error_response(error: BaseException) -> Response:
    status, body = errors.response_for(error)
    return json_response(body, status)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it exceeds ``limit`` bytes (announced or not)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> RequestError:
    return RequestError(TOO_LARGE, "corps", f"corps de plus de {limit} octets, la limite de ce serveur (option --max-body)")


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_body(data: bytes, kind: str) -> Any:
    """A JSON or YAML document, read by the library's one reader of documents
    (:mod:`cms_law.documents`, the same checks as a file on the command line); YAML aliases, which
    can multiply a small body into a huge value, are refused outright here."""
    if kind not in (*JSON_TYPES, *YAML_TYPES) and not kind.endswith("+json"):
        shown = kind or "aucun"
        raise RequestError(
            UNSUPPORTED_MEDIA_TYPE, "Content-Type",
            f"type de contenu « {shown} » non accepté : envoyer du JSON (application/json) ou du YAML (application/yaml)",
        )
    if not data.strip():
        raise RequestError(BAD_REQUEST, "corps", "corps vide : envoyer la description attendue (voir /openapi.json)")
    try:
        return parse_document(data, "corps", "yaml" if kind in YAML_TYPES else "json", aliases=False)
    except InputError as error:
        raise RequestError(BAD_REQUEST, "corps", error.problemes[0].message) from None


def query_of(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in dict.fromkeys(request.query_params.keys())}


def create_app(book: RuleBook | None = None, settings: Settings | None = None) -> Starlette:
    """The service over ``book`` (default: the package's rules, or those the settings' reform gives),
    within ``settings``' limits."""
    settings = settings or Settings()
    book = book or reformed_book(settings.regles, settings.reforme, settings.parametres)
    catalogue = build_catalogue(book, settings)
    pages = resources.files("cms_law.serve") / "static"
    index = (pages / "index.html").read_text(encoding="utf-8")
    documentation = (pages / "documentation.html").read_text(encoding="utf-8")

    # The catalogue's answers never change: serialised once (the OpenAPI document is 400 kB).
    ready = {
        "sante": json_body(catalogue.health),
        "openapi": json_body(catalogue.openapi),
        "regles": json_body(catalogue.rules),
        "parametres": json_body(catalogue.parameters),
        "schemas": json_body(dict(NAMES)),
    }

    def posted(handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                body = parse_body(await read_body(request, settings.max_body), media_type(request))
                # Serialised in the worker thread too: a large result must not hold up the event loop.
                return json_response(await run_in_threadpool(_answer, handler, book, body, query_of(request)))
            except Exception as error:  # noqa: BLE001 - errors.response_for answers every error
                return error_response(error)

        return endpoint

    def got(answer: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                result = await run_in_threadpool(lambda: _rendered(answer(request)))
                return result if isinstance(result, Response) else json_response(result)
            except Exception as error:  # noqa: BLE001
                return error_response(error)

        return endpoint

    async def batch(request: Request) -> Response:
        try:
            if media_type(request) not in CSV_TYPES:
                raise RequestError(
                    UNSUPPORTED_MEDIA_TYPE, "Content-Type",
                    f"type de contenu « {media_type(request) or 'aucun'} » non accepté : envoyer un CSV (text/csv)",
                )
            data = await read_body(request, settings.max_body)
            answer = await run_in_threadpool(handlers.batch_rows, book, data, query_of(request), settings.max_rows)
        except Exception as error:  # noqa: BLE001
            return error_response(error)
        extension = "csv" if answer.media_type.startswith("text/csv") else "jsonl"
        return StreamingResponse(
            answer.lines,
            media_type=answer.media_type,
            headers={"Content-Disposition": f'attachment; filename="resultats.{extension}"'},
        )

    routes = [
        Route("/", lambda request: HTMLResponse(index, headers=PAGE_HEADERS)),
        Route("/documentation", lambda request: HTMLResponse(documentation, headers=PAGE_HEADERS)),
        Route("/sante", lambda request: json_response(ready["sante"])),
        Route("/openapi.json", lambda request: json_response(ready["openapi"])),
        Route("/evaluer", posted(handlers.evaluate), methods=["POST"]),
        Route("/evaluer-epci", posted(handlers.evaluate_epci), methods=["POST"]),
        Route("/verifier-contrat", posted(handlers.check_contract), methods=["POST"]),
        Route("/historique", posted(handlers.history), methods=["POST"]),
        Route("/lot", batch, methods=["POST"]),
        Route("/regles", lambda request: json_response(ready["regles"])),
        Route("/regles/{id:path}", got(lambda request: _rule(catalogue, request.path_params["id"]))),
        Route("/parametres", lambda request: json_response(ready["parametres"])),
        Route("/diff", got(lambda request: handlers.diff(book, query_of(request)))),
        Route("/schemas", lambda request: json_response(ready["schemas"])),
        Route("/schemas/{nom}", got(lambda request: _schema(catalogue, request.path_params["nom"]))),
        Route("/textes", lambda request: HTMLResponse(catalogue.texts.pages[""], headers=PAGE_HEADERS)),
        Route("/textes/{chemin:path}", got(lambda request: _text(catalogue, request.path_params["chemin"]))),
        Route("/citation", got(lambda request: _citation(catalogue, request))),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", _Static(packages=[("cms_law.serve", "static")]), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return json_response(*reversed(errors.not_found(request.url.path)))

    async def not_allowed(request: Request, exc: Exception) -> Response:
        headers = exc.headers if isinstance(exc, HTTPException) and exc.headers else {}
        status, body = errors.method_not_allowed(request.method, request.url.path)
        return Response(to_json(body) + "\n", status, headers=headers, media_type="application/json")

    async def unexpected(request: Request, exc: Exception) -> Response:
        return error_response(exc)

    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed, Exception: unexpected})


def _answer(handler: Handler, book: RuleBook, body: Any, query: handlers.Query) -> bytes:
    return json_body(handler(book, body, query))


def _rendered(result: Any) -> Any:
    return result if isinstance(result, Response) else json_body(result)


def _rule(catalogue: Catalogue, rule_id: str) -> Any:
    if rule_id not in catalogue.rules_by_id:
        raise RequestError(NOT_FOUND, "id", f"règle inconnue « {rule_id} » (les règles : GET /regles)")
    return catalogue.rules_by_id[rule_id]


def _schema(catalogue: Catalogue, name: str) -> Any:
    if name not in catalogue.schemas:
        raise RequestError(NOT_FOUND, "nom", f"schéma inconnu « {name} » (schémas : {', '.join(NAMES)})")
    return catalogue.schemas[name]


def _text(catalogue: Catalogue, path: str) -> Response:
    page = catalogue.texts.pages.get(path.strip("/"))
    if page is None:
        raise RequestError(NOT_FOUND, "chemin", f"aucun texte « {path} » (les textes : /textes)")
    return HTMLResponse(page, headers=PAGE_HEADERS)


def _citation(catalogue: Catalogue, request: Request) -> Response:
    return RedirectResponse(handlers.citation_url(catalogue.book, catalogue.texts, query_of(request)), status_code=303)
