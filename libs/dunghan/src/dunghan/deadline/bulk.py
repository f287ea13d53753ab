"""The bulk whole-day path: due dates for many acceptances at once (recomputation after a calendar change)."""
from __future__ import annotations

import numpy as np

from dunghan.calendar import CalendarRangeError, WorkCalendar
from dunghan.calendar.model import EPOCH_ORDINAL


def due_bulk(accepted: np.ndarray, days: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """Effective acceptance date (rolled to a working day) plus ``days`` working days, as datetime64[D]."""
    offsets = accepted.astype("datetime64[D]").astype(np.int64) + (EPOCH_ORDINAL - calendar.lo)
    if offsets.size and (offsets.min() < 0 or offsets.max() >= calendar.np_work.size):
        raise CalendarRangeError("ngày tiếp nhận ngoài phạm vi lịch")
    index = calendar.np_cum[offsets] + np.asarray(days, dtype=np.int64)
    if index.size and (index.min() < 0 or index.max() >= calendar.np_workdays.size):
        raise CalendarRangeError("hạn giải quyết ngoài phạm vi lịch")
    return calendar.np_workdays[index].astype("datetime64[D]")
