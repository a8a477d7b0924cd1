"""Writing off an uncollectable receivable with its VAT corrected (UStG §17(2) no. 1).

The open amount of an invoice is split over the invoice's taxes in
proportion to its lines' totals; each part is written off net, with its tax,
so that the output VAT goes down by the tax in that part. A part whose net
amount and tax (each rounded to the currency) cannot add up to it exactly,
and everything without a single percent tax (charges, exempt lines), is
written off gross.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class TaxShare:
    """The lines of an invoice with one tax: their total (tax included) and the rate."""

    key: Hashable  # the caller's handle on the tax
    total: Decimal
    rate: Decimal | None  # percent; None: not a single percent tax, written off gross


@dataclass(frozen=True)
class WriteOffSplit:
    net: tuple[tuple[Hashable, Decimal], ...]  # (tax key, net amount written off with that tax)
    gross: Decimal  # written off without tax


def vat_split(
    open_amount: Decimal,
    shares: Sequence[TaxShare],
    invoice_total: Decimal,
    quantum: Decimal = Decimal("0.01"),
) -> WriteOffSplit:
    """Split ``open_amount`` of an invoice of ``invoice_total`` over its ``shares``."""

    def rounded(value):
        return value.quantize(quantum, rounding=ROUND_HALF_UP)

    taxable = [share for share in shares if share.rate]
    if not taxable or not invoice_total:
        return WriteOffSplit((), open_amount)
    net = []
    rest = open_amount
    for share in taxable:
        part = rounded(open_amount * share.total / invoice_total)
        rest -= part
        rate = share.rate / 100
        base = rounded(part / (1 + rate))
        # the net amount whose tax, rounded as Odoo rounds it, adds up to the part
        for candidate in (base, base - quantum, base + quantum):
            if candidate + rounded(candidate * rate) == part:
                net.append((share.key, candidate))
                break
        else:
            rest += part  # no exact split: this part goes gross with the rest
    return WriteOffSplit(tuple(net), rest)
