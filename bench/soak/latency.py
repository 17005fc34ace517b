"""Delivery latency (emit POST -> the reader's event handler) per sampling interval and overall.

The payload carries time.monotonic_ns() of the POST; the reader subtracts it when it parses
the event, in the same process, so the figure includes the harness's own event-loop delay.
Per interval: the raw values (p50 / p99 / max, then cleared); overall: a histogram of 1 ms
buckets up to 10 s (and one overflow bucket).
"""
from __future__ import annotations

_BUCKETS = 10_000


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class LatencyStats:
    def __init__(self):
        self._window: list[float] = []
        self._histogram = [0] * (_BUCKETS + 1)
        self.count = 0
        self.max_s = 0.0

    def add(self, seconds: float) -> None:
        self._window.append(seconds)
        self._histogram[min(_BUCKETS, max(0, int(seconds * 1000)))] += 1
        self.count += 1
        if seconds > self.max_s:
            self.max_s = seconds

    def take_window(self) -> dict:
        window, self._window = self._window, []
        return {"n": len(window), "p50_ms": _ms(_percentile(window, 0.5)), "p99_ms": _ms(_percentile(window, 0.99)),
                "max_ms": _ms(max(window) if window else None)}

    def overall(self) -> dict:
        def quantile(q: float) -> float | None:
            if not self.count:
                return None
            rank, seen = q * self.count, 0
            for bucket, n in enumerate(self._histogram):
                seen += n
                if seen >= rank:
                    return float(bucket + 1)
            return None
        return {"n": self.count, "p50_ms": quantile(0.5), "p99_ms": quantile(0.99), "p999_ms": quantile(0.999),
                "max_ms": round(self.max_s * 1000, 1)}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)
