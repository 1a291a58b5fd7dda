"""Money as people read it. Amounts stay Decimal (the database's DECIMAL(10,4)) until shown."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal


def format_money(amount: Decimal | float | int | None, places: int = 2) -> str:
    """'$1,234.56', '-$12.00', or '—' for no value. Rounds half to even, like the ledger."""
    if amount is None:
        return "—"
    value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{places}f}"
