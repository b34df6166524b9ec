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

import asyncio
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

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
    return await _read(request.receive, request.headers.get("content-length"), limit)


def _too_large(limit: int) -> RequestError:
    return RequestError(TOO_LARGE, "corps", f"corps de plus de {limit} octets, la limite de ce serveur (option --max-body)")


def media_type(content_type: str) -> str:
    """The media type of a Content-Type value, without its parameters, in lower case."""
    return content_type.split(";")[0].strip().lower()


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
    return _query(request.scope["query_string"])


def create_app(book: RuleBook | None = None, settings: Settings | None = None) -> ASGIApp:
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
            kind = media_type(request.headers.get("content-type", ""))
            if kind not in CSV_TYPES:
                raise RequestError(
                    UNSUPPORTED_MEDIA_TYPE, "Content-Type",
                    f"type de contenu « {kind or 'aucun'} » non accepté : envoyer un CSV (text/csv)",
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

    posted = {
        path: Posted(handler, book, settings.max_body)
        for path, handler in (
            ("/evaluer", handlers.evaluate),
            ("/evaluer-epci", handlers.evaluate_epci),
            ("/verifier-contrat", handlers.check_contract),
            ("/historique", handlers.history),
        )
    }
    routes = [
        Route("/", lambda request: HTMLResponse(index, headers=PAGE_HEADERS)),
        Route("/documentation", lambda request: HTMLResponse(documentation, headers=PAGE_HEADERS)),
        Route("/sante", lambda request: json_response(ready["sante"])),
        Route("/openapi.json", lambda request: json_response(ready["openapi"])),
        *(Route(path, endpoint, methods=["POST"]) for path, endpoint in posted.items()),
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

    site = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed, Exception: unexpected})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # The evaluations go straight to their endpoint, past Starlette's routing and middleware
        # (a third of the server's own time per evaluation); every other request, and any
        # other method on these paths (405), through Starlette.
        endpoint = posted.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        await (endpoint or site)(scope, receive, send)

    return app


class Posted:
    """A POST endpoint taking a JSON or YAML document, as a plain ASGI app: the body read within
    ``limit`` bytes, parsed by the library's reader, the handler called and its answer written in
    a worker thread (a large result must not hold up the event loop), any error answered by
    :func:`errors.response_for`."""

    def __init__(self, handler: Handler, book: RuleBook, limit: int) -> None:
        self.handler, self.book, self.limit = handler, book, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])  # lower-case names (ASGI); the first of each would do as well
        try:
            declared = headers.get(b"content-length")
            data = await _read(receive, None if declared is None else declared.decode("latin-1"), self.limit)
            body = parse_body(data, media_type(headers.get(b"content-type", b"").decode("latin-1")))
            query = _query(scope["query_string"])
            status, answer = 200, await asyncio.get_running_loop().run_in_executor(
                None, _answer, self.handler, self.book, body, query
            )
        except ClientDisconnect:
            return  # nobody to answer
        except Exception as error:  # noqa: BLE001 - errors.response_for answers every error
            status, problem = errors.response_for(error)
            answer = json_body(problem)
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", str(len(answer)).encode()), (b"content-type", b"application/json")],
        })
        await send({"type": "http.response.body", "body": answer})


async def _read(receive: Receive, declared: str | None, limit: int) -> bytes:
    """The body, refused as soon as it exceeds ``limit`` bytes (announced or not)."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _query(raw: bytes) -> dict[str, list[str]]:
    """The query's parameters, each with its values in order, read as Starlette reads them."""
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        query.setdefault(name, []).append(value)
    return query


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
