"""The committed migrations describe the models exactly (like `makemigrations --check`)."""

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from gateway import db
from gateway.settings import Settings


async def test_models_have_no_unmigrated_changes(tmp_path):
    settings = Settings.from_env({}, database_url=f"sqlite://{tmp_path / 'm.sqlite3'}", secret_key="s" * 40)
    config = db.tortoise_config(settings)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers] == [], "run: tortoise makemigrations (see README)"
