"""Small summary statistics shared by the eval reports and the feedback analytics."""


def ratio(part: int, whole: int) -> float | None:
    """Part / whole rounded to 4 places, None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (fraction 0-1) rounded to 2 places, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))], 2)
