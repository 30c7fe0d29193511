"""``pairgate check``: is this installation ready to serve? Each check says ok, or what is wrong.

Settings, the secret key, the database (reachable, every migration applied), the plugins, and
which key the stored PINs are under: after a key change (PAIRGATE_PREVIOUS_SECRET_KEYS), how
many PINs still wait for their next login to move to the current key, and how many are under a
key that is no longer configured (those users' PINs no longer work).
"""

from __future__ import annotations

import dataclasses
import os
import pkgutil

from gateway.settings import Settings, SettingsError


@dataclasses.dataclass
class Result:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def committed_migrations() -> list[str]:
    import gateway.migrations

    return sorted(module.name for module in pkgutil.iter_modules(gateway.migrations.__path__)
                  if module.name[:4].isdigit())


async def run(env=None) -> list[Result]:
    results: list[Result] = []
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        return [Result("settings", False, str(exc))]
    database = "SQLite" if settings.is_sqlite else "PostgreSQL"
    results.append(Result("settings", True, f"{database}, public URL {settings.public_url}, logs "
                                            f"{settings.log_format} at {settings.log_level}"))
    environ = os.environ if env is None else env
    source = "PAIRGATE_SECRET_KEY" if environ.get("PAIRGATE_SECRET_KEY") else "the secret_key file beside the database"
    results.append(Result("secret key", True, f"from {source}; {len(settings.previous_secret_keys)} earlier "
                                              "key(s) in PAIRGATE_PREVIOUS_SECRET_KEYS"))
    results.append(_plugins(settings))
    results.extend(await _database(settings))
    return results


def _plugins(settings: Settings) -> Result:
    from gateway.plugin_types import PluginError
    from gateway.plugins import get_plugin_manager

    try:
        manager = get_plugin_manager(modules=settings.plugins, disabled=settings.disable_plugins)
    except PluginError as exc:
        return Result("plugins", False, str(exc))
    return Result("plugins", True, f"{len(manager.get_plugins())} loaded")


async def _database(settings: Settings) -> list[Result]:
    from tortoise import connections
    from tortoise.migrations.recorder import MigrationRecorder

    from gateway import db

    try:
        ctx = await db.open_database(settings)
    except Exception as exc:  # a check reports, whatever the driver raises
        return [Result("database", False, f"unreachable: {exc}")]
    try:
        connection = connections.get(db.connection_name(settings))
        try:
            await connection.execute_query("SELECT 1")
        except Exception as exc:
            return [Result("database", False, f"unreachable: {exc}")]
        results = [Result("database", True, "reachable")]
        applied = {key.name for key in await MigrationRecorder(connection).applied_migrations()
                   if key.app_label == db.APP_LABEL}
        missing = [name for name in committed_migrations() if name not in applied]
        if missing:
            results.append(Result("migrations", False, f"{len(missing)} not applied ({', '.join(missing)}): run "
                                                       "`pairgate migrate` before serving"))
            return results  # the tables may not hold what the next check reads
        results.append(Result("migrations", True, f"all {len(applied)} applied"))
        results.append(await _pin_keys(settings))
        return results
    finally:
        await db.close_database(ctx)


async def _pin_keys(settings: Settings) -> Result:
    from gateway.models import User
    from gateway.services import pins

    current = pins.key_id(settings.secret_key)
    earlier = [pins.key_id(key) for key in settings.previous_secret_keys]
    stored = User.filter(deleted_at=None, pin_hmac__not_isnull=True)
    under_current = await stored.filter(pin_key_id=current).count()
    under_earlier = await stored.filter(pin_key_id__in=earlier).count() if earlier else 0
    unrecorded = await stored.filter(pin_key_id__isnull=True).count()
    lost = await stored.exclude(pin_key_id__in=[current, *earlier]).filter(pin_key_id__not_isnull=True).count()
    detail = (f"{under_current} under the current key, {under_earlier} under an earlier key (moved to the current "
              f"key at their next use)")
    if unrecorded:
        detail += (f", {unrecorded} stored before key ids were kept (under the key of that time; noted at "
                   "their next use)")
    if lost:
        return Result("PINs", False, detail + f", {lost} under a key that is neither PAIRGATE_SECRET_KEY nor in "
                                              "PAIRGATE_PREVIOUS_SECRET_KEYS: they no longer log in (add the "
                                              "key back, or give those users new PINs)")
    return Result("PINs", True, detail)
