"""How the app shows money and time: amounts with their currency, times in UTC, said so."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

# ISO 4217 minor units where they differ from 2 (the currencies a cross-border seller meets).
_MINOR_UNITS = {
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "CLP": 0,
    "ISK": 0,
    "JPY": 0,
    "KRW": 0,
    "PYG": 0,
    "UGX": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
}

EMPTY = "—"


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, list | tuple | dict) else False
    except (TypeError, ValueError):
        return False


def money(amount: Any, currency: Any) -> str:
    """``1,234.50 SAR``; an amount is rounded to its currency's minor unit for display only."""
    if is_missing(amount):
        return EMPTY
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    code = "" if is_missing(currency) else str(currency).strip().upper()
    places = _MINOR_UNITS.get(code, 2)
    quantum = Decimal(1).scaleb(-places)
    shown = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return f"{shown} {code}".strip()


def money_column(frame: pd.DataFrame, amount: str, currency: str = "currency") -> list[str]:
    """``money`` for every row of ``frame``'s ``amount`` column with its ``currency`` column."""
    return [money(a, c) for a, c in zip(frame[amount], frame[currency], strict=True)]


def utc(value: Any, *, seconds: bool = False) -> str:
    """``2025-03-01 14:05 UTC`` for a datetime (naive ones are taken as UTC), ``—`` when missing."""
    if is_missing(value):
        return EMPTY
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text(value: Any) -> str:
    return EMPTY if is_missing(value) or value == "" else str(value)


def yes_no(value: Any) -> str:
    if is_missing(value):
        return EMPTY
    return "yes" if bool(value) else "no"


def pages(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill (at least one, so an empty result still has page 1)."""
    return max(1, math.ceil(total / page_size))


def widget_key(prefix: str, *state: Any) -> str:
    """A widget key that changes with ``state``: a pager keyed so starts again at page 1 when the
    filters change, without writing to a widget's session state."""
    return f"{prefix}_{hashlib.sha1(repr(state).encode()).hexdigest()[:12]}"
