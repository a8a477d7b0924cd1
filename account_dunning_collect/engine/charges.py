"""What a letter charges besides its open items: the level's fee, the flat fee
of BGB §288(5) and default interest (BGB §288(1)/(2), see ``interest``).

Rules:

* the fee is that of the highest level an item newly reaches in the letter,
  and only when an invoice (not a charge invoice) escalates in it: an item
  merely repeated at its level, or a letter escalating only earlier charges,
  costs nothing more;
* the flat fee is charged once per invoice, for a business debtor when the
  policy asks for it, from the item's first letter *above* the policy's first
  level on (the reminder that causes default does not carry it);
* interest accrues on every overdue invoice item of the letter (never on
  charge invoices) from the day after the last day already charged (else the
  maturity date) up to the letter's date, on the amount open on each day
  (payments reduce it from their date).

The caller resolves amounts into the letter's currency and reads the history
(last interest day charged, invoices already charged the flat fee, payments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .escalation import ItemKind, LetterPlan
from .interest import InterestResult, accrue


@dataclass
class LetterCharges:
    """What one letter charges besides the open items."""

    charge_items: frozenset = frozenset()  # items of charge invoices (listed, never charged)
    fee: Decimal = Decimal(0)
    flat_fees: dict = field(default_factory=dict)  # item id -> flat fee
    interest: dict = field(default_factory=dict)  # item id -> InterestResult
    # the first day without a base rate and how many days were left uncharged
    uncovered_from: date | None = None
    uncovered_days: int = 0
    warning: str = ""  # the caller's text for the uncovered days, shown on the letter

    @property
    def flat_fee_total(self):
        return sum(self.flat_fees.values(), Decimal(0))

    @property
    def interest_total(self):
        return sum((result.amount for result in self.interest.values()), Decimal(0))

    @property
    def total(self):
        return self.fee + self.flat_fee_total + self.interest_total


@dataclass(frozen=True)
class ChargeTerms:
    """A letter's charge settings, in the letter's currency."""

    fee: Decimal = Decimal(0)  # the fee of the letter's fee level
    flat_fee: Decimal = Decimal(0)  # 0: no flat fee (consumer, or the policy charges none)
    first_level_id: int | None = None  # the policy's first level (no flat fee with it)
    schedule: tuple | None = None  # interest rate periods; None: no interest
    quantum: Decimal = Decimal("0.01")  # the currency's rounding


@dataclass(frozen=True)
class ChargeHistory:
    """What earlier letters charged and what was paid, per item."""

    charged_until: Mapping = field(default_factory=dict)  # item id -> last day charged
    flat_fee_moves: frozenset = frozenset()  # invoices already charged the flat fee
    payments: Mapping = field(default_factory=dict)  # item id -> [(date, amount)]


def open_amount_changes(
    amount_residual: Decimal, date_maturity: date, payments
) -> tuple[tuple[date, Decimal], ...]:
    """The open amount from the maturity date on, reduced at each payment's date.

    ``amount_residual`` is what is open now; ``payments`` are (date, amount)
    of every payment on the item, so the amount open at maturity is the
    residual plus all payments, less those made by the maturity date.
    """
    original = amount_residual + sum((amount for __, amount in payments), Decimal(0))
    open_amount = original - sum(
        (amount for paid_on, amount in payments if paid_on <= date_maturity), Decimal(0)
    )
    changes = [(date_maturity, open_amount)]
    for paid_on, amount in sorted(p for p in payments if p[0] > date_maturity):
        open_amount -= amount
        changes.append((paid_on, open_amount))
    return tuple(changes)


def fee_due(plan: LetterPlan, charge_items: frozenset) -> bool:
    """Whether the letter charges its level's fee: an invoice escalates in it."""
    return any(line.level_id and line.item.id not in charge_items for line in plan.lines)


def letter_charges(
    plan: LetterPlan,
    terms: ChargeTerms,
    history: ChargeHistory,
    charge_items: frozenset,
    letter_date: date,
) -> LetterCharges:
    """Fee, flat fees and interest of one planned letter."""
    charge = LetterCharges(charge_items=charge_items)
    if fee_due(plan, charge_items):
        charge.fee = terms.fee
    flat_fee_moves = set(history.flat_fee_moves)
    for line in plan.lines:
        item = line.item
        if line.kind != ItemKind.OVERDUE or item.id in charge_items:
            continue
        if (
            terms.flat_fee
            and line.holds_level_id
            and line.holds_level_id != terms.first_level_id
            and item.move_id not in flat_fee_moves
        ):
            charge.flat_fees[item.id] = terms.flat_fee
            flat_fee_moves.add(item.move_id)  # one flat fee per invoice, not per installment
        if terms.schedule is None:
            continue
        result: InterestResult = accrue(
            open_amount_changes(
                item.amount_residual_currency,
                item.date_maturity,
                history.payments.get(item.id, ()),
            ),
            history.charged_until.get(item.id, item.date_maturity),
            letter_date,
            terms.schedule,
            terms.quantum,
        )
        if result.uncovered_days:
            charge.uncovered_from = result.uncovered_from
            charge.uncovered_days = result.uncovered_days
        if result.periods:
            charge.interest[item.id] = result
    return charge
