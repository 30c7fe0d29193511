from datetime import datetime, timedelta, timezone

# The longest a device's or a session's last use may go unwritten: writing it on
# every request would turn reads into writes. A session writes it sooner when its
# idle timeout is short (auth.touch_interval).
TOUCH_INTERVAL = timedelta(seconds=60)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
