"""How one cell of the benchmark report is found and written: a value of one run's records
(by implementation, scenario, variant, phase, key and round), the median (min-max) over
rounds, and the median of per-round ratios. Shared by bench_report.py, rest_report.py and
serve_targets.py.

Threading: one thread; pure functions over lists of records.
"""
from __future__ import annotations

import statistics


def dig(record: dict, path: str):
    """record["a"]["b"] for path "a.b"; None when a key is missing."""
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def ladder_metric(records: list[dict], key: str):
    """From one ladder run's lines: the max sustained rate, or `key` of the step run at that rate."""
    summary = next((r for r in records if r.get("phase") == "ladder"), None)
    if summary is None:
        return None
    if key == "max_sustained_rate":
        return summary["max_sustained_rate"]
    best = summary["max_sustained_rate"]
    step = next((r for r in records if r.get("phase") == "step" and r.get("rate_target") == best), None)
    return dig(step, key) if step else None


def value_of(records: list[dict], impl: str, scenario: str, variant: str, phase: str, key: str, round_index: int):
    """The figure `key` of `impl`'s `phase` line in one round (RSS totals in MiB), or None."""
    mine = [r for r in records if r["impl"] == impl and r["scenario"] == scenario and r["variant"] == variant
            and r["round"] == round_index]
    if phase == "ladder":
        value = ladder_metric(mine, key)
    else:
        line = next((r for r in mine if r.get("phase") == phase), None)
        value = dig(line, key) if line else None
    if value is not None and "rss_kib_" in key and not key.endswith("per_connection"):
        value = value / 1024
    return value


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def median_ratio(values: list, bases: list) -> float | None:
    """The median over rounds of value / base, from the rounds where both are numbers."""
    ratios = [v / b for v, b in zip(values, bases) if is_number(v) and is_number(b) and b]
    return statistics.median(ratios) if ratios else None


def ratio_text(ratio: float) -> str:
    return f"×{ratio:.0f}" if ratio >= 10 else f"×{ratio:.2g}"


def summarise(values: list) -> str:
    """median (min-max) of the numbers in `values`; yes / **no** for booleans; n/a for none."""
    numbers = [v for v in values if is_number(v)]
    if any(isinstance(v, bool) for v in values):
        return "yes" if values and all(values) else "**no**"
    if not numbers:
        return "n/a"
    median = statistics.median(numbers)
    text = fmt(median)
    if len(numbers) > 1 and fmt(min(numbers)) != fmt(max(numbers)):
        text += f" ({fmt(min(numbers))}–{fmt(max(numbers))})"
    return text


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"
