"""The built web app: the back office at /, the register app at /register, GraphiQL at /graphql.

`npm run build` in web/ writes them to web/dist (`make serve` runs it). Hashed files under
/assets/ never change, so browsers keep them a year; the HTML pages that name them are
revalidated on every load, so a new build shows at once. The pages fetch nothing from
another host (GraphiQL included: it is bundled, not loaded from a CDN).

web/dist is found beside the gateway package, as in a checkout (`make install` installs
it editable); a wheel does not carry it. The folder is looked up on every request rather
than at start-up, so a gateway started before the first build serves the screens as soon
as the build is done. Without it, the pages answer a short note on how to build them;
the API does not need them.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# The browser itself holds the pages to this host: a script or stylesheet from anywhere
# else is refused, and no other site may frame them. Inline styles stay allowed (React's
# style attributes, GraphiQL's), inline scripts do not; data: images are the QR codes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {"Cache-Control": NO_CACHE, "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff"}

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pairgate</title></head>
<body><main>
<h1>pairgate</h1>
<p>The GraphQL API is up at <a href="/graphql">/graphql</a>, but {what} is not built.</p>
<p>Build the web app with Node.js 20 or newer: <code>make serve</code> does it, or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>.</p>
</main></body></html>
"""


def _page(relative: str, what: str) -> web.StreamResponse:
    path = DIST / relative
    if not path.is_file():
        return web.Response(text=NOT_BUILT.format(what=what), content_type="text/html", headers=PAGE_HEADERS)
    return web.FileResponse(path, headers={**PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8"})


async def back_office(request: web.Request) -> web.StreamResponse:
    return _page("index.html", "the back office")


async def register_app(request: web.Request) -> web.StreamResponse:
    return _page("register/index.html", "the register app")


async def graphiql(request: web.Request) -> web.StreamResponse:
    return _page("graphiql/index.html", "GraphiQL")


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    folder = DIST / "assets"
    # One plain file name, nothing that climbs out of the folder.
    if "/" in name or "\\" in name or name.startswith(".") or not (folder / name).is_file():
        raise web.HTTPNotFound(text="Not found.")
    return web.FileResponse(folder / name, headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"})


def add_routes(app: web.Application) -> None:
    """The screens' routes. The catch-alls lose to every fixed path (/graphql, /healthz…):
    aiohttp tries the longest matching prefix first, whatever the order of registration."""
    app.router.add_get("/assets/{name}", asset)
    app.router.add_get("/register", register_app)
    app.router.add_get("/register/{tail:.*}", register_app)
    app.router.add_get("/", back_office)
    app.router.add_get("/{tail:.*}", back_office)
