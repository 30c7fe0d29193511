"""Building the plugin manager: hookspecs, then built-ins, then installed plugins."""

from __future__ import annotations

import pluggy

from gateway import hookspecs
from gateway.defaults import DEFAULT_PLUGINS
from gateway.plugin_types import PROJECT


def get_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """Return a fresh plugin manager.

    A factory rather than a module global so that every app (and every test)
    can have its own set of plugins.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for module in DEFAULT_PLUGINS:
        pm.register(module, name=module.__name__)
    if load_entry_points:
        pm.load_setuptools_entrypoints(PROJECT)
    pm.check_pending()
    return pm
