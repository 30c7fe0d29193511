"""Serving the built screens (gateway/web.py), without a browser: a fake build in a temporary folder."""

from __future__ import annotations

import dataclasses

import pytest

from gateway import web as screens
from tests.support import make_client


@pytest.fixture
def dist(tmp_path, monkeypatch):
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "register").mkdir()
    (folder / "graphiql").mkdir()
    (folder / "index.html").write_text("<!doctype html><title>back office</title>")
    (folder / "register" / "index.html").write_text("<!doctype html><title>register app</title>")
    (folder / "graphiql" / "index.html").write_text("<!doctype html><title>GraphiQL page</title>")
    (folder / "assets" / "main-Ab12.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("outside the build")
    monkeypatch.setattr(screens, "DIST", folder)
    return folder


async def test_back_office_and_its_client_routes_get_index_html_revalidated(api, dist):
    for path in ("/", "/codes", "/devices/RGV2aWNlOjE="):
        response = await api.client.get(path)
        assert response.status == 200, path
        assert "back office" in await response.text()
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Content-Type"].startswith("text/html")


async def test_pages_may_load_only_from_this_host(api, dist):
    for path, headers in (("/", {}), ("/register", {}), ("/graphql", {"Accept": "text/html"})):
        response = await api.client.get(path, headers=headers)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy, path
        assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_register_app_and_its_routes(api, dist):
    for path in ("/register", "/register/", "/register/pin"):
        response = await api.client.get(path)
        assert response.status == 200 and "register app" in await response.text(), path
        assert response.headers["Cache-Control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(api, dist):
    response = await api.client.get("/assets/main-Ab12.js")
    assert response.status == 200 and await response.text() == "console.log('hi')"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["Content-Type"]


async def test_unknown_assets_and_paths_out_of_the_build_are_not_found(api, dist):
    for path in ("/assets/nope.js", "/assets/.hidden", "/assets/..%2Fsecret.txt"):
        response = await api.client.get(path)
        assert response.status == 404, path
    for path in ("/assets/%2E%2E/secret.txt", "/assets/../secret.txt", "/register/../../secret.txt"):
        response = await api.client.get(path)
        assert "outside the build" not in await response.text(), path


async def test_graphiql_is_the_bundled_page(api, dist):
    response = await api.client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status == 200 and "GraphiQL page" in await response.text()
    assert response.headers["Cache-Control"] == "no-cache"
    assert "unpkg" not in await response.text()


async def test_the_api_still_answers_beside_the_screens(api, dist):
    body = await api.post("{ deviceTypes { key } }")
    assert {t["key"] for t in body["data"]["deviceTypes"]} >= {"POS", "CUSTOMER_DISPLAY"}
    get = await api.client.get("/graphql", params={"query": "{ deviceTypes { key } }"})
    assert get.status == 200 and "POS" in await get.text()
    health = await api.client.get("/healthz")
    assert health.status == 200 and (await health.json())["status"] in ("ok",)


async def test_no_graphiql_when_introspection_is_off(aiohttp_client, settings, dist):
    api = await make_client(aiohttp_client, dataclasses.replace(settings, introspection=False))
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert "GraphiQL page" not in await response.text()
    assert "graphiql" not in (await response.text()).lower()


async def test_without_a_build_the_pages_say_how_to_build_it(api, tmp_path, monkeypatch):
    monkeypatch.setattr(screens, "DIST", tmp_path / "missing")
    for path, what in (("/", "the back office"), ("/register", "the register app")):
        response = await api.client.get(path)
        text = await response.text()
        assert response.status == 200 and what in text and "npm run build" in text and "make serve" in text
        assert response.headers["Cache-Control"] == "no-cache"
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert "GraphiQL" in await page.text() and "unpkg" not in await page.text()
    assert (await api.post("{ deviceTypes { key } }"))["data"]["deviceTypes"]
