"""The order in which a payment settles open items (BGB §366(2), §367(1)).

Without a purpose stated by the debtor, a payment settles the costs first
(the dunning charges: fees and interest), then the principal; among the
principal items, the oldest due first.
"""

from __future__ import annotations

from datetime import date


def settlement_key(is_charge: bool, due_date: date, item_id: int) -> tuple:
    """Sort key of an open item: charges before invoices, then by due date, then by id."""
    return (not is_charge, due_date, item_id)
