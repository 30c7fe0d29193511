from datetime import datetime, timedelta, timezone

# last_seen_at of sessions and devices is written at most this often: writing
# it on every request would turn reads into writes, and a minute is precise
# enough for an idle timeout counted in minutes.
TOUCH_INTERVAL = timedelta(seconds=60)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
