"""The one reading of SOURCE_DATE_EPOCH (reproducible builds): the brief's day, and the date
of a draft e-mail. Without it, the clock."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone


def source_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as seconds, or None when it is not set (or not a whole number)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else None


def today() -> date:
    """Today, or the day of SOURCE_DATE_EPOCH when it is set."""
    epoch = source_epoch()
    return datetime.fromtimestamp(epoch, tz=timezone.utc).date() if epoch is not None else date.today()
