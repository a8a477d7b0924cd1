"""What a letter charges besides its open items: the level's fee, the flat fee
of BGB §288(5) and default interest (BGB §288(1)/(2), see ``interest``).

Rules:

* the fee is that of the highest level an item newly reaches in the letter,
  and only when an invoice (not a charge invoice) escalates in it: an item
  merely repeated at its level, or a letter escalating only earlier charges,
  costs nothing more;
* each overdue invoice item's first day of default comes from ``default``
  (BGB §286); once a sent letter stated it, later letters keep that date;
* the flat fee is charged once per invoice, for a business debtor when the
  policy asks for it, with the first letter dated on or after the invoice's
  first day of default -- never on an item not in default;
* interest accrues on every overdue invoice item of the letter (never on
  charge invoices) from its first day of default (inclusive), or the day
  after the last day already charged when that is later, up to the letter's
  date, on the amount open on each day (payments reduce it from their date).

The caller resolves amounts into the letter's currency and reads the history
(last interest day charged, invoices already charged the flat fee, payments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from .default import DefaultStart, DefaultTerms, default_start
from .escalation import ItemKind, LetterPlan
from .interest import ACT_365, InterestResult, accrue


@dataclass
class LetterCharges:
    """What one letter charges besides the open items."""

    charge_items: frozenset = frozenset()  # items of charge invoices (listed, never charged)
    fee: Decimal = Decimal(0)
    flat_fees: dict = field(default_factory=dict)  # item id -> flat fee
    interest: dict = field(default_factory=dict)  # item id -> InterestResult
    defaults: dict = field(default_factory=dict)  # item id -> DefaultStart, items in default
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
    schedule: tuple | None = None  # interest rate periods; None: no interest
    quantum: Decimal = Decimal("0.01")  # the currency's rounding
    default_terms: DefaultTerms = field(default_factory=DefaultTerms)
    calendar_due_items: frozenset = frozenset()  # items with a due date agreed by calendar
    day_count: str = ACT_365


@dataclass(frozen=True)
class ChargeHistory:
    """What earlier letters charged and what was paid, per item."""

    charged_until: Mapping = field(default_factory=dict)  # item id -> last day charged
    flat_fee_moves: frozenset = frozenset()  # invoices already charged the flat fee
    payments: Mapping = field(default_factory=dict)  # item id -> [(date, amount)]
    # item id -> the day its first reminder was delivered
    reminder_delivered: Mapping = field(default_factory=dict)
    # item id -> DefaultStart, as a sent letter stated it
    known_defaults: Mapping = field(default_factory=dict)


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
        start = item_default_start(item, terms, history)
        if start is None or start.date > letter_date:
            continue  # not in default (yet): neither flat fee nor interest
        charge.defaults[item.id] = start
        if terms.flat_fee and item.move_id not in flat_fee_moves:
            charge.flat_fees[item.id] = terms.flat_fee
            flat_fee_moves.add(item.move_id)  # one flat fee per invoice, not per installment
        if terms.schedule is None:
            continue
        # accrue() charges the days after its start: default's first day included
        day_before_default = start.date - timedelta(days=1)
        charged_until = history.charged_until.get(item.id)
        result: InterestResult = accrue(
            open_amount_changes(
                item.amount_residual_currency,
                item.date_maturity,
                history.payments.get(item.id, ()),
            ),
            max(charged_until, day_before_default) if charged_until else day_before_default,
            letter_date,
            terms.schedule,
            terms.quantum,
            day_count=terms.day_count,
        )
        if result.uncovered_days:
            charge.uncovered_from = result.uncovered_from
            charge.uncovered_days = result.uncovered_days
        if result.periods:
            charge.interest[item.id] = result
    return charge


def item_default_start(item, terms: ChargeTerms, history: ChargeHistory) -> DefaultStart | None:
    """The item's first day of default: as a sent letter stated it, else as of now."""
    known = history.known_defaults.get(item.id)
    if known is not None:
        return known
    default_terms = terms.default_terms
    if item.id in terms.calendar_due_items and not default_terms.calendar_due:
        default_terms = replace(default_terms, calendar_due=True)
    return default_start(item.date_maturity, history.reminder_delivered.get(item.id), default_terms)
