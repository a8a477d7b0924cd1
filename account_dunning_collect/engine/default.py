"""The first day of default (Verzugsbeginn) of an overdue item, BGB §286.

Default interest (§288(1)/(2)) accrues from that day on, and the flat fee of
§288(5) is owed with the first letter dated on or after it.

Bases (the policy's ``default_basis``):

* ``due_date`` -- the payment date was agreed by the calendar (§286(2) no. 1):
  default begins the day after the due date. A payment term that says its due
  date was agreed by the calendar applies this to its invoices whatever the
  policy says;
* ``reminder`` -- default by the first reminder (§286(1)): it begins the day
  after the reminder counts as received, ``receipt_days`` after it was
  delivered (e-mailed, printed, called);
* ``statutory`` -- the earlier of the reminder rule and §286(3): 30 days after
  the due date (default begins on the 31st day after it). For a consumer
  §286(3) applies only when the invoice pointed it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

BASIS_DUE_DATE = "due_date"
BASIS_REMINDER = "reminder"
BASIS_STATUTORY = "statutory"
BASES = (BASIS_DUE_DATE, BASIS_REMINDER, BASIS_STATUTORY)

# why default began that day
REASON_CALENDAR = "calendar"  # §286(2) no. 1
REASON_REMINDER = "reminder"  # §286(1)
REASON_THIRTY_DAYS = "thirty_days"  # §286(3)

THIRTY_DAYS = 30


@dataclass(frozen=True)
class DefaultTerms:
    """What decides when an item falls into default."""

    basis: str = BASIS_STATUTORY
    receipt_days: int = 3
    calendar_due: bool = False  # the payment term's due date was agreed by the calendar
    consumer: bool = False
    consumer_notice: bool = False  # the invoices point out §286(3) to consumers

    def __post_init__(self):
        if self.basis not in BASES:
            raise ValueError(f"unknown default basis {self.basis!r}, expected one of {BASES}")
        if self.receipt_days < 0:
            raise ValueError("receipt_days must not be negative")


@dataclass(frozen=True)
class DefaultStart:
    date: date
    reason: str


def default_start(
    date_maturity: date | None, reminder_delivered: date | None, terms: DefaultTerms
) -> DefaultStart | None:
    """The first day of default of an item due on ``date_maturity``.

    ``reminder_delivered``: the day its first reminder (a letter listing it as
    overdue) reached the debtor, None while none did. None: not in default
    (yet) on what is known now.
    """
    if date_maturity is None:
        return None
    if terms.basis == BASIS_DUE_DATE or terms.calendar_due:
        return DefaultStart(date_maturity + timedelta(days=1), REASON_CALENDAR)
    candidates = []
    if reminder_delivered is not None:
        # a reminder before the due date causes no default (§286(1): "nach dem Eintritt
        # der Fälligkeit"); the run never sends one, an item is listed as due only after it
        received = max(reminder_delivered, date_maturity) + timedelta(days=terms.receipt_days)
        candidates.append(DefaultStart(received + timedelta(days=1), REASON_REMINDER))
    if terms.basis == BASIS_STATUTORY and (not terms.consumer or terms.consumer_notice):
        candidates.append(
            DefaultStart(date_maturity + timedelta(days=THIRTY_DAYS + 1), REASON_THIRTY_DAYS)
        )
    if not candidates:
        return None
    # the earlier; on a tie the reminder, which the debtor saw
    return min(candidates, key=lambda start: (start.date, start.reason != REASON_REMINDER))
