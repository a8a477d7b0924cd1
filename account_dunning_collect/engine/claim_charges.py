"""Which invoice of a collection case carries each dunning charge handed over.

Plain Python, no Odoo import. A case hands over the debtor's invoices
together with the open invoices of dunning charges posted for its letters;
the agency states each cost with the claim it belongs to (RDG §13a). The
case model gathers ``CaseInvoice`` and ``ChargeInvoice`` values, calls
``attribute_charges`` and words the fees it returns.

Rules:

* a charge invoice still open in full (to the cent) is broken down into
  what its letters charged: a letter's dunning fee goes to the first invoice
  of the case that the letter escalated (its first line giving one of them a
  new level), flat fees (BGB §288(5)) and interest go to the invoice they
  were charged for;
* what was charged for a document outside the case, and the fee of a
  letter that escalated none of the case's invoices, go to the case's first
  invoice: the one due first (then the lowest id);
* a charge invoice partly paid, or one no letter posted, is handed over with
  its open rest as one fee on the case's first invoice: what of it was paid
  cannot be told apart;
* amounts are handed over as they were charged, never split, so nothing is
  rounded here;
* an invoice's fees are listed by date, its interest by first day of the
  period and then by invoice; entries of the same date keep the order of
  the charge invoices, their letters and their lines;
* interest keeps the day-count convention of the letter that charged it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .interest import ACT_365

# A charge invoice whose open amount differs from its total by less than half
# a cent is open in full.
CENT = Decimal("0.01")

# what a fee handed over is
FEE_DUNNING = "dunning_fee"  # the fee of a dunning letter's level
FEE_FLAT = "flat_fee"  # the flat fee of BGB §288(5) for one invoice
FEE_OPEN_REST = "open_rest"  # the open rest of a partly paid charge invoice


@dataclass(frozen=True)
class CaseInvoice:
    """An invoice handed over in the case."""

    id: int
    due_date: date  # its due date, else its accounting date


@dataclass(frozen=True)
class LetterLineCharges:
    """What one line of a dunning letter charged for its document."""

    move_id: int | None  # the document listed: an invoice of the case or another one
    move_name: str
    escalated: bool = False  # the letter gave the document a new level
    flat_fee: Decimal = Decimal(0)
    interest: Decimal = Decimal(0)
    interest_principal: Decimal = Decimal(0)  # the open amount the interest ran on
    interest_rate: str = ""  # annual rate(s) as the letter states them
    interest_date_from: date | None = None
    interest_date_to: date | None = None
    interest_days: int = 0


@dataclass(frozen=True)
class ChargeLetter:
    """A dunning letter whose charges were posted on a charge invoice."""

    name: str
    date: date
    level: str  # the name of the letter's level
    fee: Decimal = Decimal(0)
    lines: tuple[LetterLineCharges, ...] = ()
    day_count: str = ACT_365  # how the letter divided interest days (engine.interest)


@dataclass(frozen=True)
class ChargeInvoice:
    """An open invoice of dunning charges of the debtor, with the letters posted on it."""

    name: str
    date: date  # its invoice date, else its accounting date
    amount_total: Decimal
    amount_residual: Decimal
    letters: tuple[ChargeLetter, ...] = ()

    @property
    def open_in_full(self) -> bool:
        """Nothing paid of it yet, to the cent."""
        return not (self.amount_residual - self.amount_total).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class ClaimFee:
    """A fee handed over with one invoice of the case."""

    kind: str  # FEE_DUNNING, FEE_FLAT or FEE_OPEN_REST
    date: date
    amount: Decimal
    letter: str = ""  # the letter that charged it (dunning and flat fee)
    level: str = ""  # the letter's level (dunning fee)
    invoice: str = ""  # the document the flat fee was charged for
    charge: str = ""  # the charge invoice whose open rest it is


@dataclass(frozen=True)
class ClaimInterest:
    """Default interest handed over with one invoice of the case."""

    invoice: str  # the document it was charged for
    principal: Decimal
    rate: str
    date_from: date | None
    date_to: date | None
    days: int
    amount: Decimal
    day_count: str = ACT_365  # ACT_365 or ACT_ACT, as the letter charged it


@dataclass(frozen=True)
class InvoiceCharges:
    """The fees and interest one invoice of the case carries."""

    invoice_id: int
    fees: tuple[ClaimFee, ...] = ()
    interest: tuple[ClaimInterest, ...] = ()


def attribute_charges(
    invoices: Iterable[CaseInvoice], charge_invoices: Iterable[ChargeInvoice]
) -> tuple[InvoiceCharges, ...]:
    """The charges of ``charge_invoices`` attributed to ``invoices`` (see the module's rules).

    Returns one ``InvoiceCharges`` per invoice, the invoice due first first;
    an invoice that carries nothing has empty ``fees`` and ``interest``.
    """
    ordered = sorted(invoices, key=lambda invoice: (invoice.due_date, invoice.id))
    if not ordered:
        return ()
    in_case = {invoice.id for invoice in ordered}
    first = ordered[0].id
    fees = defaultdict(list)
    interest = defaultdict(list)
    for charge in charge_invoices:
        if not charge.letters or not charge.open_in_full:
            fees[first].append(
                ClaimFee(FEE_OPEN_REST, charge.date, charge.amount_residual, charge=charge.name)
            )
            continue
        for letter in charge.letters:
            if letter.fee:
                escalated = next(
                    (
                        line.move_id
                        for line in letter.lines
                        if line.escalated and line.move_id in in_case
                    ),
                    first,
                )
                fees[escalated].append(
                    ClaimFee(
                        FEE_DUNNING, letter.date, letter.fee, letter=letter.name, level=letter.level
                    )
                )
            for line in letter.lines:
                target = line.move_id if line.move_id in in_case else first
                if line.flat_fee:
                    fees[target].append(
                        ClaimFee(
                            FEE_FLAT,
                            letter.date,
                            line.flat_fee,
                            letter=letter.name,
                            invoice=line.move_name,
                        )
                    )
                if line.interest:
                    interest[target].append(
                        ClaimInterest(
                            invoice=line.move_name,
                            principal=line.interest_principal,
                            rate=line.interest_rate,
                            date_from=line.interest_date_from,
                            date_to=line.interest_date_to,
                            days=line.interest_days,
                            amount=line.interest,
                            day_count=letter.day_count,
                        )
                    )
    return tuple(
        InvoiceCharges(
            invoice_id=invoice.id,
            fees=tuple(sorted(fees[invoice.id], key=lambda fee: fee.date)),
            interest=tuple(
                sorted(interest[invoice.id], key=lambda item: (item.date_from, item.invoice))
            ),
        )
        for invoice in ordered
    )
