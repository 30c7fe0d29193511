"""Helpers for testing pairgate and its plugins (pytest + pytest-aiohttp).

    from gateway.testing import Api, make_client, migrated_sqlite, plugin_manager

    async def test_my_plugin(aiohttp_client, tmp_path):
        settings = await migrated_sqlite(tmp_path)
        api = await make_client(aiohttp_client, settings, plugin_manager(MyPlugin()))
        assert "MY_TYPE" in str(await api.data("{ deviceTypes { key } }"))
"""

from __future__ import annotations

import sys
from pathlib import Path

import pluggy

from gateway import db
from gateway.app import create_app
from gateway.plugins import get_plugin_manager
from gateway.settings import Settings

TEST_SECRET = "pairgate-test-secret-" + "x" * 32


class Api:
    """Sends GraphQL through the aiohttp test client, as a frontend would."""

    def __init__(self, client) -> None:
        self.client = client

    async def post(self, query: str, variables: dict | None = None, *, token: str | None = None,
                   device_token: str | None = None, headers: dict | None = None) -> dict:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if device_token:
            sent["X-Device-Token"] = device_token
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
        body = await response.json()
        body["_status"] = response.status
        return body

    async def data(self, query: str, variables: dict | None = None, **kwargs) -> dict:
        """The data of a response that must have no top-level errors."""
        body = await self.post(query, variables, **kwargs)
        assert "errors" not in body, body
        return body["data"]


def plugin_manager(*plugins) -> pluggy.PluginManager:
    """The built-ins plus ``plugins`` (modules or objects with hookimpls); installed plugins are left out."""
    pm = get_plugin_manager(load_entry_points=False)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


async def migrated_sqlite(folder: Path, **overrides) -> Settings:
    """Settings for a fresh, migrated SQLite database in ``folder``."""
    settings = Settings.from_env({}, database_url=f"sqlite://{Path(folder) / 'pairgate.sqlite3'}",
                                 secret_key=TEST_SECRET, **overrides)
    await db.migrate(settings)
    return settings


async def make_client(aiohttp_client, settings: Settings, plugins: pluggy.PluginManager | None = None) -> Api:
    """The real app on a test server; ``plugins`` defaults to the built-ins only."""
    return Api(await aiohttp_client(create_app(settings, plugins or get_plugin_manager(load_entry_points=False))))


def fake_distribution(site: Path, name: str, entry_points: dict[str, str], modules: dict[str, str]) -> Path:
    """An installed-looking distribution: ``modules`` as source files and a
    ``pairgate`` entry-point group, in ``site`` (which the caller puts on sys.path).

    importlib.metadata finds it exactly as it finds a pip-installed package.
    """
    site.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        (site / f"{module}.py").write_text(source)
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[pairgate]\n{lines}")
    return info


def forget_modules(*names: str) -> None:
    """Drop modules a test imported from a temporary distribution."""
    for name in names:
        sys.modules.pop(name, None)
