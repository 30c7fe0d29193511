"""The log: its format and level (PAIRGATE_LOG_FORMAT, PAIRGATE_LOG_LEVEL), and one line per request.

A request's line says who asked what and how it went: its request id (the client's
``X-Request-Id`` when it is a plain token, else one made up; echoed in the response), method
and path (never the query string: a GET may carry variables), the GraphQL operation's name,
type and root field, the organisation, user and device ids, status, outcome, duration and the
number of SQL statements. It never holds what a client sent as a value: no query text, no
variables, no header but the request id, so no token, PIN, password or pairing code can reach it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
import time

from aiohttp import web
from graphql import FieldNode, OperationDefinitionNode

from gateway import db, metrics
from gateway.settings import Settings

REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
log = logging.getLogger("pairgate.request")


@dataclasses.dataclass
class RequestLine:
    """What a request's line will say; the GraphQL handler fills in the operation and the reader."""

    request_id: str
    method: str
    path: str
    statements: list[int]  # db's per-request counter cell
    operation: str | None = None  # the operation's name in the document, if it has one
    operation_type: str | None = None  # query, mutation, subscription
    root_field: str | None = None  # the operation's first root field: the metrics' label
    organisation_id: int | None = None
    user_id: int | None = None
    device_id: int | None = None
    graphql_errors: bool = False

    def fields(self, status: int, seconds: float) -> dict:
        return {
            "request_id": self.request_id, "method": self.method, "path": self.path,
            "operation": self.operation, "operation_type": self.operation_type, "root_field": self.root_field,
            "organisation_id": self.organisation_id, "user_id": self.user_id, "device_id": self.device_id,
            "status": status, "outcome": outcome(status, self.graphql_errors),
            "duration_ms": round(seconds * 1000, 1), "sql_statements": self.statements[0],
        }


LINE = web.RequestKey("pairgate_request_line", RequestLine)


def outcome(status: int, graphql_errors: bool) -> str:
    if status == 503:
        return "unavailable"
    if status >= 500:
        return "failed"
    if status >= 400:
        return "rejected"
    return "error" if graphql_errors else "ok"


def request_id(sent: str | None) -> str:
    """The client's id when it is a plain token (it is written to the log as is), else a new one."""
    if sent and _REQUEST_ID.fullmatch(sent):
        return sent
    return os.urandom(16).hex()


# -- what the GraphQL handler adds --------------------------------------------


def operation(request: web.Request, node: OperationDefinitionNode | None) -> None:
    """Note the operation a request runs (from the parsed document: names there are GraphQL
    names, never free text)."""
    line = request.get(LINE)
    if line is None or node is None:
        return
    line.operation = node.name.value if node.name else None
    line.operation_type = node.operation.value
    first = next((selection for selection in node.selection_set.selections if isinstance(selection, FieldNode)), None)
    line.root_field = first.name.value if first is not None else None


def answered(request: web.Request, reader, graphql_errors: bool) -> None:
    """Note whom the answer was read as (after a login: the user who logged in) and whether it had errors."""
    line = request.get(LINE)
    if line is None:
        return
    line.graphql_errors = graphql_errors
    if reader is not None:
        line.organisation_id, line.user_id, line.device_id = reader.organisation_id, reader.user_id, reader.device_id


# -- the middleware -----------------------------------------------------------


def install(app: web.Application, connection_name: str) -> None:
    """Log a line and count metrics for every request of ``app``."""
    db.enable_query_stats()  # the line's statement count; the statements themselves are never printed

    @web.middleware
    async def request_line(request: web.Request, handler):
        started = time.perf_counter()
        line = RequestLine(request_id=request_id(request.headers.get(REQUEST_ID_HEADER)), method=request.method,
                           path=request.path, statements=db.start_counting())
        request[LINE] = line
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            seconds = time.perf_counter() - started
            fields = line.fields(status, seconds)
            # A failure the gateway did not expect is a warning; a 503 is not: the outage is logged once.
            _write(logging.WARNING if fields["outcome"] == "failed" else logging.INFO, fields)
            metrics.request_finished(line.operation_type or "http", _label(request, line), fields["outcome"], seconds)
            metrics.pool_usage_now_and_then(connection_name)

    async def echo_request_id(request: web.Request, response: web.StreamResponse) -> None:
        line = request.get(LINE)
        if line is not None:
            response.headers[REQUEST_ID_HEADER] = line.request_id

    app.middlewares.append(request_line)
    app.on_response_prepare.append(echo_request_id)


def _write(level: int, fields: dict) -> None:
    """``log.log(level, "request", extra=…)`` without looking up the caller's file and line, which
    cost a third of the line and say nothing here (it is always this function)."""
    if log.isEnabledFor(level):
        log.handle(log.makeRecord(log.name, level, __file__, 0, "request", (), None, extra={"fields": fields}))


def _label(request: web.Request, line: RequestLine) -> str:
    """The operation label of the metrics: the root field, or the route for other paths (a path
    no route has is "unmatched": clients must not make new series)."""
    if line.root_field is not None:
        return line.root_field
    if line.operation_type is not None:
        return "-"
    route = request.match_info.route
    resource = route.resource if route is not None else None
    return resource.canonical if resource is not None else "unmatched"


# -- format and level -----------------------------------------------------------


class TextFormatter(logging.Formatter):
    """``time LEVEL logger message key=value …``; values with spaces or quotes are quoted as JSON strings."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{_utc(record)} {record.levelname} {record.name} {record.getMessage()}"
        fields = getattr(record, "fields", None)
        if fields:
            text += " " + " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


_PLAIN = re.compile(r'[^\s"=\\]+')


def _text_value(value) -> str:
    if value is None:
        return "-"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.isprintable():
        return text
    return json.dumps(text)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the record's fields, and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _utc(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_second: list = [None, ""]  # the last second formatted, and its text: a busy log formats each second once


def _utc(record: logging.LogRecord) -> str:
    second = int(record.created)
    if _second[0] != second:
        _second[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
    return f"{_second[1]}.{int(record.msecs):03d}Z"


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(settings: Settings, stream=None) -> logging.Handler:
    """Send every log record to stderr (or ``stream``) in the chosen format, at the chosen level."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level)
    # DEBUG is the gateway's own: the libraries' debug lines carry SQL with its values (pairing
    # codes, token hashes, PIN HMACs), so they stay at INFO and above whatever the setting says.
    root.setLevel(max(logging.INFO, level))
    logging.getLogger("pairgate").setLevel(level)
    # However the app is served, aiohttp's access line is not written: it holds the query string,
    # where a GET carries its variables. The gateway's own request line replaces it.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return handler
