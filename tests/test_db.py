"""Database wiring."""

from tortoise.backends.base.config_generator import expand_db_url

from gateway import db
from gateway.settings import Settings


def test_sqlite_keeps_its_url(tmp_path):
    settings = Settings.from_env({}, database_url=f"sqlite://{tmp_path / 'x.sqlite3'}", secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection.startswith("sqlite://") and "journal_mode=WAL" in connection


def test_postgres_on_the_same_host_is_reached_over_its_unix_socket():
    """The URL form the bench (and a same-host deployment) uses: the host is the socket's directory."""
    settings = Settings.from_env({}, database_url="postgres://u@/x?host=/var/run/postgresql&maxsize=3",
                                 secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    credentials = expand_db_url(connection)["credentials"]
    assert credentials["host"] == "/var/run/postgresql" and credentials["database"] == "x"
    assert int(credentials["maxsize"]) == 3  # the URL's own options survive
