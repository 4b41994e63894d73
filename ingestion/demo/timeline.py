"""When orders happen and when each of their versions is delivered.

Orders of a store are created in index order over the 60 days before the anchor (more in local
evenings, at weekends and during a promotion). Each order has a lifecycle of stages (created,
fulfilled, paid, ...). A sync runs at the end of every window (1 to 24 hours, sized to the store's
volume) and delivers every order that changed in that window *as it is at the sync*: a stage is
delivered as a version only if the order does not change again before the window closes, exactly
as an incremental ``updated_at_min`` pull behaves. Stages after the anchor have not happened yet.

The scheduler streams: it holds only the pending stage events (a few days of orders, as small
tuples), never the orders themselves; each version is rebuilt from its order's own seed.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingestion.demo.common import DAY, HOUR, SPAN_DAYS

WINDOW_CHOICES_H = (24, 12, 8, 6, 4, 3, 2, 1)
TARGET_RECORDS_PER_WINDOW = 150


@dataclass(slots=True)
class Plan:
    """An order's lifecycle: all stage times (some may lie after the anchor) and the delivered ones."""

    idx: int
    created: int
    times: dict[str, int]  # stage code -> epoch seconds, in lifecycle order
    emitted: list[str]  # the stages delivered as versions, in order
    flags: int = 0  # anomaly and shape bits, see ingestion.demo.context
    dest: int = 0  # index into the store's destinations
    n_lines: int = 1


def choose_window(n_orders: int) -> int:
    """The sync interval (seconds): the longest whose expected volume stays near the target."""
    per_day = max(n_orders, 1) * 2.2 / SPAN_DAYS  # ~2.2 versions per order
    for hours in WINDOW_CHOICES_H:
        if per_day * hours / 24 <= TARGET_RECORDS_PER_WINDOW:
            return hours * HOUR
    return WINDOW_CHOICES_H[-1] * HOUR


def emitted_stages(times: dict[str, int], anchor: int, start: int, window_s: int) -> list[str]:
    """The stages a window-by-window sync would see: the last stage of the order within each window."""
    happened = [(t, code) for code, t in times.items() if t < anchor]
    out: list[str] = []
    for i, (t, code) in enumerate(happened):
        if i + 1 < len(happened) and (happened[i + 1][0] - start) // window_s == (t - start) // window_s:
            continue  # superseded before this window's sync
        out.append(code)
    return out


class Intensity:
    """The order-arrival curve over the span; ``at(q)`` maps a quantile to an epoch second."""

    def __init__(self, start: int, offset_min: int) -> None:
        hours = SPAN_DAYS * 24
        # local hour-of-day shape: quiet before dawn, busy in the evening
        daily = [
            0.25,
            0.15,
            0.1,
            0.08,
            0.08,
            0.12,
            0.25,
            0.45,
            0.65,
            0.8,
            0.9,
            1.0,
            1.05,
            1.0,
            0.95,
            0.95,
            1.0,
            1.1,
            1.25,
            1.45,
            1.6,
            1.65,
            1.35,
            0.75,
        ]
        weights = []
        for h in range(hours):
            local = start + h * HOUR + offset_min * 60
            hod = (local // HOUR) % 24
            dow = (local // DAY + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
            w = daily[hod]
            w *= 1.25 if dow in (3, 4) else 1.0  # Thursday/Friday evenings
            w *= 1.0 + 0.3 * h / hours  # a growing business
            if 40 * 24 <= h < 42 * 24:
                w *= 2.4  # a two-day promotion
            weights.append(w)
        total = sum(weights)
        self._cum = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self._cum.append(acc)
        self._start = start

    def at(self, q: float) -> int:
        i = min(bisect.bisect_right(self._cum, q), len(self._cum) - 1)
        lo = self._cum[i - 1] if i else 0.0
        frac = (q - lo) / (self._cum[i] - lo) if self._cum[i] > lo else 0.0
        return self._start + i * HOUR + min(int(frac * HOUR), HOUR - 1)


def windows(
    n_orders: int, start: int, anchor: int, window_s: int, plan_of: Callable[[int], Plan]
) -> Iterator[tuple[int, list[tuple[int, int, str]]]]:
    """Yield ``(window_end, [(time, order_idx, stage), ...])`` per window with any delivery, in order.

    ``plan_of(idx)`` must give non-decreasing creation times in ``idx`` order.
    """
    heap: list[tuple[int, int, int, str]] = []  # (time, idx, position, stage)
    next_idx = 0
    lookahead = plan_of(0) if n_orders else None
    window_end = start + window_s
    while window_end <= anchor:
        while lookahead is not None and lookahead.created < window_end:
            for pos, code in enumerate(lookahead.emitted):
                heapq.heappush(heap, (lookahead.times[code], lookahead.idx, pos, code))
            next_idx += 1
            lookahead = plan_of(next_idx) if next_idx < n_orders else None
        batch = []
        while heap and heap[0][0] < window_end:
            t, idx, _pos, code = heapq.heappop(heap)
            batch.append((t, idx, code))
        if batch:
            yield window_end, batch
        window_end += window_s
