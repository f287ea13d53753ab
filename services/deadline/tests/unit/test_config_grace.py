"""The history grace is bounded when the service starts, so ``due + grace`` never leaves the calendar of dates."""
from __future__ import annotations

import pytest

from deadline.config import Settings


def test_a_history_grace_beyond_a_century_is_refused_at_start() -> None:
    assert Settings.from_env({"DEADLINE_HISTORY_GRACE_HOURS": "200000"}).history_grace_hours == 200_000
    for bad in ("100000000", "-1"):
        with pytest.raises(ValueError, match="DEADLINE_HISTORY_GRACE_HOURS"):
            Settings.from_env({"DEADLINE_HISTORY_GRACE_HOURS": bad})
