"""The moving window of `limits` in this process's memory, for the budgets of api/rate_limits.py.

limits' own MemoryStorage starts a timer thread on nearly every request (to expire entries 10 ms
later) and inserts each request at the front of a list: about a tenth of a millisecond per
request, measured with bench/profile_api.py. Here each key keeps a deque of its requests' times
(at most the limit's amount), trimmed as it is used, and idle keys are swept once a period.
"""
from __future__ import annotations

import threading
import time
from collections import deque

from limits import RateLimitItem
from limits.util import WindowStats

SWEEP_SECONDS = 60.0


class MemoryMovingWindow:
    """hit() and get_window_stats() as limits' MovingWindowRateLimiter offers them."""

    def __init__(self) -> None:
        # key -> (the limit's period in seconds, the times of the requests it counts, oldest first)
        self._windows: dict[str, tuple[float, deque[float]]] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def hit(self, limit: RateLimitItem, *identifiers: str) -> bool:
        """Count one request under the limit; False (and nothing counted) when it is spent."""
        now = time.time()
        with self._lock:
            self._sweep(now)
            period, times = self._windows.setdefault(limit.key_for(*identifiers), (limit.get_expiry(), deque()))
            while times and times[0] <= now - period:
                times.popleft()
            if len(times) >= limit.amount:
                return False
            times.append(now)
            return True

    def get_window_stats(self, limit: RateLimitItem, *identifiers: str) -> WindowStats:
        """When the oldest counted request leaves the window (epoch seconds), and what remains."""
        now = time.time()
        with self._lock:
            period, times = self._windows.get(limit.key_for(*identifiers), (limit.get_expiry(), deque()))
            live = [t for t in times if t > now - period]
            return WindowStats(live[0] + period if live else now, limit.amount - len(live))

    def _sweep(self, now: float) -> None:
        """Forget the keys whose every request has left its window (many addresses pass by once)."""
        if time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        for key, (period, times) in list(self._windows.items()):
            if not times or times[-1] <= now - period:
                del self._windows[key]
