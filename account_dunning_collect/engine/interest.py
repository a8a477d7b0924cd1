"""Default interest (BGB §288) in Decimal, split exactly at every rate change.

Interest on an item accrues for each day after ``date_from`` (exclusive: the
maturity date or the last day already charged) up to and including
``date_to`` (the letter date), on the amount open on that day, at the annual
rate valid on that day, divided by the days of the year the day-count
convention gives. The sum is rounded once, at the end.

BGB §288 says "per year" and names no convention, so both common ones are
offered (``day_count``):

* ``act_365`` (the default): every day is 1/365 of a year, also in leap
  years -- what most interest calculators do;
* ``act_act``: a day is 1/366 of a year in a leap year and 1/365 otherwise,
  so a period crossing 1 January is split there -- what many law firms'
  claim statements print.

A statutory rate is the Bundesbank base rate (BGB §247) plus a margin (9
points for business debtors, 5 for consumers). A base rate is valid from its
date until the next one, and the last one known until the end of its
half-year: days after that are *uncovered*. They are not charged (no made-up
rate); ``InterestResult.charged_until`` stops before them so that a later
letter charges them once the rate exists.
"""

from __future__ import annotations

from calendar import isleap
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

DAYS_PER_YEAR = Decimal(365)  # act/365's divisor in every year
ACT_365 = "act_365"
ACT_ACT = "act_act"
DAY_COUNTS = (ACT_365, ACT_ACT)
BUSINESS_MARGIN = Decimal(9)
CONSUMER_MARGIN = Decimal(5)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class RatePeriod:
    """An annual rate in percent, valid from ``date_from`` to ``date_to`` inclusive."""

    date_from: date
    date_to: date
    rate: Decimal


@dataclass(frozen=True)
class InterestPeriod:
    """One stretch of days with one open amount, one rate and one divisor."""

    date_from: date  # first day charged
    date_to: date  # last day charged
    principal: Decimal
    rate: Decimal  # percent per year
    year_days: int = 365  # a day is 1/year_days of a year: 366 for a leap year under act/act

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def amount(self) -> Decimal:
        """Unrounded interest of this stretch."""
        return self.principal * self.rate / 100 * self.days / Decimal(self.year_days)


@dataclass(frozen=True)
class InterestResult:
    periods: tuple[InterestPeriod, ...]
    amount: Decimal  # rounded once
    charged_until: date | None  # last day covered by a rate (None: nothing charged)
    uncovered_from: date | None = None  # first day without a rate, if any
    uncovered_days: int = 0
    day_count: str = ACT_365  # the convention the periods were divided by


def half_year_end(day: date) -> date:
    """30 June or 31 December of ``day``'s half-year."""
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def statutory_schedule(base_rates, margin: Decimal) -> tuple[RatePeriod, ...]:
    """Rate periods from ``(date_from, base_rate)`` pairs plus ``margin`` points.

    Each base rate holds until the next one starts; the last one until the
    end of its half-year. A negative base rate stays negative (no floor).
    """
    ordered = sorted(base_rates)
    periods = []
    for index, (date_from, base_rate) in enumerate(ordered):
        if index + 1 < len(ordered):
            date_to = ordered[index + 1][0] - ONE_DAY
        else:
            date_to = half_year_end(date_from)
        periods.append(RatePeriod(date_from, date_to, Decimal(base_rate) + margin))
    return tuple(periods)


def fixed_schedule(rate: Decimal) -> tuple[RatePeriod, ...]:
    """One rate for all days."""
    return (RatePeriod(date.min, date.max, Decimal(rate)),)


def year_days(day: date, day_count: str = ACT_365) -> int:
    """Days of the year ``day`` counts as 1/x of: 365, or 366 in a leap year under act/act."""
    if day_count == ACT_ACT and isleap(day.year):
        return 366
    return 365


def _rate_on(schedule, day):
    for period in schedule:
        if period.date_from <= day <= period.date_to:
            return period
    return None


def _open_amount_on(balance_changes, day):
    amount = Decimal(0)
    for effective, open_amount in balance_changes:
        if effective <= day:
            amount = open_amount
        else:
            break
    return amount


def accrue(
    balance_changes: tuple[tuple[date, Decimal], ...],
    date_from: date,
    date_to: date,
    schedule: tuple[RatePeriod, ...],
    quantum: Decimal = Decimal("0.01"),
    *,
    day_count: str = ACT_365,
) -> InterestResult:
    """Interest for the days after ``date_from`` up to and including ``date_to``.

    ``balance_changes`` are ``(effective_date, open_amount)`` pairs sorted by
    date: from that day on, interest accrues on that open amount (a partial
    payment on day D reduces the base from D on). ``quantum`` is the
    currency's rounding. ``day_count`` is ``ACT_365`` (days / 365) or
    ``ACT_ACT`` (days / 365 or 366 by calendar year); a ``ValueError``
    names any other value.
    """
    if day_count not in DAY_COUNTS:
        raise ValueError(
            f"Unknown interest day count {day_count!r}: expected one of {', '.join(DAY_COUNTS)}"
        )
    if date_to <= date_from:
        return InterestResult((), Decimal(0), None, day_count=day_count)
    changes = sorted(balance_changes)
    boundaries = {date_from + ONE_DAY, date_to + ONE_DAY}
    boundaries |= {effective for effective, __ in changes if date_from < effective <= date_to}
    for period in schedule:
        for edge in (
            period.date_from,
            period.date_to + ONE_DAY if period.date_to < date.max else None,
        ):
            if edge and date_from < edge <= date_to:
                boundaries.add(edge)
    if day_count == ACT_ACT:
        # a stretch divided by 366 must not run into a year divided by 365
        boundaries |= {date(year, 1, 1) for year in range(date_from.year + 1, date_to.year + 1)}
    edges = sorted(boundaries)
    periods = []
    charged_until = None
    uncovered_from = None
    uncovered_days = 0
    for start, next_start in pairwise(edges):
        end = next_start - ONE_DAY
        rate = _rate_on(schedule, start)
        if rate is None:
            uncovered_from = uncovered_from or start
            uncovered_days += (end - start).days + 1
            continue
        if uncovered_from is None:
            charged_until = end
        principal = _open_amount_on(changes, start)
        if principal > 0 and uncovered_from is None:
            divisor = year_days(start, day_count)
            last = periods[-1] if periods else None
            if (
                last
                and last.date_to + ONE_DAY == start  # not across days with nothing open
                and last.principal == principal
                and last.rate == rate.rate
                and last.year_days == divisor
            ):
                periods[-1] = InterestPeriod(last.date_from, end, principal, rate.rate, divisor)
            else:
                periods.append(InterestPeriod(start, end, principal, rate.rate, divisor))
    total = sum((period.amount for period in periods), Decimal(0))
    return InterestResult(
        periods=tuple(periods),
        amount=total.quantize(quantum, rounding=ROUND_HALF_UP),
        charged_until=charged_until,
        uncovered_from=uncovered_from,
        uncovered_days=uncovered_days,
        day_count=day_count,
    )
