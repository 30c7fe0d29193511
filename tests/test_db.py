"""Database wiring."""

from gateway import db
from gateway.settings import Settings


def test_postgres_pool_releases_without_a_reset_round_trip():
    """asyncpg's default reset sends one more statement per pool release (see db.keep_session)."""
    settings = Settings.from_env({}, database_url="postgres://u@127.0.0.1:5432/x?maxsize=7", secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection["credentials"]["reset"] is db.keep_session
    assert int(connection["credentials"]["maxsize"]) == 7  # the URL's own options survive


def test_sqlite_keeps_its_url(tmp_path):
    settings = Settings.from_env({}, database_url=f"sqlite://{tmp_path / 'x.sqlite3'}", secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection.startswith("sqlite://") and "journal_mode=WAL" in connection


def test_postgres_on_the_same_host_is_reached_over_its_unix_socket():
    """The URL form the bench (and a same-host deployment) uses: the host is the socket's directory."""
    settings = Settings.from_env({}, database_url="postgres://u@/x?host=/var/run/postgresql&maxsize=3",
                                 secret_key="s" * 40)
    [connection] = db.tortoise_config(settings)["connections"].values()
    assert connection["credentials"]["host"] == "/var/run/postgresql" and connection["credentials"]["database"] == "x"
