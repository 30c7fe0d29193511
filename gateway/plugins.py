"""Building the plugin manager: hookspecs, built-ins, installed plugins, extra modules, then a check."""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterable

import pluggy

from gateway import hookspecs
from gateway.defaults import DEFAULT_PLUGINS
from gateway.plugin_types import PROJECT, PluginError


def get_plugin_manager(
    *, modules: Iterable[str] = (), disabled: Iterable[str] = (), load_entry_points: bool = True
) -> pluggy.PluginManager:
    """Return a fresh plugin manager (a factory, so every app and test has its own).

    Order: hookspecs; the built-ins of ``gateway.defaults``; the ``pairgate``
    entry-point group; ``modules`` by import path (``PAIRGATE_PLUGINS``). Names in
    ``disabled`` (``PAIRGATE_DISABLE_PLUGINS``: an entry-point name, a module
    path, or a built-in such as ``gateway.defaults.pins``) are skipped. Every
    hookimpl must match a hookspec.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in disabled:
        pm.set_blocked(name)
    for module in DEFAULT_PLUGINS:
        _register(pm, module, module.__name__)
    if load_entry_points:
        for entry_point in importlib.metadata.entry_points(group=PROJECT):
            if pm.is_blocked(entry_point.name) or pm.has_plugin(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:
                raise PluginError(f"plugin {entry_point.name!r} ({entry_point.value}) failed to import: {exc!r}") from exc
            _register(pm, plugin, entry_point.name)
    for path in modules:
        if pm.is_blocked(path):
            continue
        try:
            plugin = importlib.import_module(path)
        except Exception as exc:
            raise PluginError(f"plugin {path!r} (PAIRGATE_PLUGINS) failed to import: {exc!r}") from exc
        _register(pm, plugin, path)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r}: {exc}") from exc
    return pm


def _register(pm: pluggy.PluginManager, plugin, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r}: {exc}") from exc
    except ValueError as exc:  # registered twice under another name
        raise PluginError(f"plugin {name!r}: {exc}") from exc
