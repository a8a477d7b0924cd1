"""Default interest arithmetic, without a database."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import TestCase

from hypothesis import given, settings
from hypothesis import strategies as st

from ..engine.interest import (
    BUSINESS_MARGIN,
    CONSUMER_MARGIN,
    accrue,
    fixed_schedule,
    half_year_end,
    statutory_schedule,
)

# LEGAL_DE.md: Bundesbank base rates (2026-07-01 not known)
BASE_RATES = [
    (date(2016, 7, 1), Decimal("-0.88")),
    (date(2023, 1, 1), Decimal("1.62")),
    (date(2023, 7, 1), Decimal("3.12")),
    (date(2024, 1, 1), Decimal("3.62")),
    (date(2024, 7, 1), Decimal("3.37")),
    (date(2025, 1, 1), Decimal("2.27")),
    (date(2025, 7, 1), Decimal("1.27")),
    (date(2026, 1, 1), Decimal("1.27")),
]
BUSINESS = statutory_schedule(BASE_RATES, BUSINESS_MARGIN)
CONSUMER = statutory_schedule(BASE_RATES, CONSUMER_MARGIN)
THOUSAND = ((date(2000, 1, 1), Decimal("1000.00")),)


class TestInterest(TestCase):
    def test_split_at_base_rate_change(self):
        """1,000.00 due 2025-05-15, letter 2025-09-01: 46 days at 11.27 %, 63 at 10.27 %."""
        result = accrue(THOUSAND, date(2025, 5, 15), date(2025, 9, 1), BUSINESS)
        self.assertEqual(
            [(p.date_from, p.date_to, p.days, p.rate) for p in result.periods],
            [
                (date(2025, 5, 16), date(2025, 6, 30), 46, Decimal("11.27")),
                (date(2025, 7, 1), date(2025, 9, 1), 63, Decimal("10.27")),
            ],
        )
        # 1000 * 11.27 % * 46 / 365 = 14.2033; 1000 * 10.27 % * 63 / 365 = 17.7263
        self.assertEqual(result.amount, Decimal("31.93"))
        self.assertEqual(result.charged_until, date(2025, 9, 1))
        self.assertIsNone(result.uncovered_from)

    def test_consumer_margin(self):
        result = accrue(THOUSAND, date(2025, 5, 15), date(2025, 9, 1), CONSUMER)
        self.assertEqual([p.rate for p in result.periods], [Decimal("7.27"), Decimal("6.27")])
        self.assertEqual(result.amount, Decimal("19.98"))

    def test_negative_base_rate(self):
        """2022: base rate -0.88 %, so 8.12 % for business debtors (no floor)."""
        result = accrue(THOUSAND, date(2022, 3, 31), date(2022, 6, 30), BUSINESS)
        self.assertEqual([(p.days, p.rate) for p in result.periods], [(91, Decimal("8.12"))])
        self.assertEqual(result.amount, Decimal("20.24"))
        consumer = accrue(THOUSAND, date(2022, 3, 31), date(2022, 6, 30), CONSUMER)
        self.assertEqual(consumer.periods[0].rate, Decimal("4.12"))
        self.assertEqual(consumer.amount, Decimal("10.27"))

    def test_second_letter_charges_the_increment(self):
        first = accrue(THOUSAND, date(2025, 5, 15), date(2025, 6, 30), BUSINESS)
        second = accrue(THOUSAND, first.charged_until, date(2025, 9, 1), BUSINESS)
        self.assertEqual((first.amount, second.amount), (Decimal("14.20"), Decimal("17.73")))
        self.assertEqual(second.periods[0].date_from, date(2025, 7, 1))

    def test_partial_payment_reduces_the_base_from_its_date(self):
        changes = ((date(2025, 5, 15), Decimal("1000.00")), (date(2025, 6, 15), Decimal("600.00")))
        result = accrue(changes, date(2025, 5, 15), date(2025, 9, 1), BUSINESS)
        self.assertEqual(
            [(p.days, p.principal, p.rate) for p in result.periods],
            [
                (30, Decimal("1000.00"), Decimal("11.27")),
                (16, Decimal("600.00"), Decimal("11.27")),
                (63, Decimal("600.00"), Decimal("10.27")),
            ],
        )
        # 9.2630 + 2.9642 + 10.6356
        self.assertEqual(result.amount, Decimal("22.86"))

    def test_paid_in_full_stops_interest(self):
        changes = ((date(2025, 5, 15), Decimal("1000.00")), (date(2025, 6, 1), Decimal("0")))
        result = accrue(changes, date(2025, 5, 15), date(2025, 9, 1), BUSINESS)
        self.assertEqual(
            [(p.days, p.principal) for p in result.periods], [(16, Decimal("1000.00"))]
        )

    def test_reversed_payment_resumes_interest_without_the_paid_days(self):
        """Paid in full on 1 June, the payment reversed (returned direct debit) on 1 August.

        Nothing was open in June and July: 16 days in May and 31 in August at
        10 %, derived: 1000 * 10 % * 47 / 365 = 12.8767 -> 12.88. Merging the
        two equal stretches across the gap charged 108 days (29.59).
        """
        changes = (
            (date(2025, 5, 15), Decimal("1000.00")),
            (date(2025, 6, 1), Decimal("0")),
            (date(2025, 8, 1), Decimal("1000.00")),
        )
        result = accrue(changes, date(2025, 5, 15), date(2025, 8, 31), fixed_schedule(Decimal(10)))
        self.assertEqual(
            [(p.date_from, p.date_to, p.days) for p in result.periods],
            [(date(2025, 5, 16), date(2025, 5, 31), 16), (date(2025, 8, 1), date(2025, 8, 31), 31)],
        )
        self.assertEqual(result.amount, Decimal("12.88"))

    def test_missing_base_rate_charges_nothing_for_the_gap(self):
        result = accrue(THOUSAND, date(2026, 5, 31), date(2026, 8, 15), BUSINESS)
        self.assertEqual([(p.days, p.rate) for p in result.periods], [(30, Decimal("10.27"))])
        self.assertEqual(result.amount, Decimal("8.44"))
        self.assertEqual(result.charged_until, date(2026, 6, 30))
        self.assertEqual((result.uncovered_from, result.uncovered_days), (date(2026, 7, 1), 46))
        # once the rate for 2026-07-01 exists, the next letter charges the gap
        later = statutory_schedule(
            [*BASE_RATES, (date(2026, 7, 1), Decimal("1.77"))], BUSINESS_MARGIN
        )
        rest = accrue(THOUSAND, result.charged_until, date(2026, 8, 15), later)
        self.assertEqual([(p.days, p.rate) for p in rest.periods], [(46, Decimal("10.77"))])
        self.assertEqual(rest.amount, Decimal("13.57"))

    def test_fixed_rate(self):
        principal = ((date(2000, 1, 1), Decimal("500.00")),)
        result = accrue(
            principal, date(2026, 3, 1), date(2026, 3, 31), fixed_schedule(Decimal("12"))
        )
        self.assertEqual(result.amount, Decimal("4.93"))

    def test_nothing_before_due(self):
        result = accrue(THOUSAND, date(2025, 9, 1), date(2025, 9, 1), BUSINESS)
        self.assertEqual(
            (result.amount, result.periods, result.charged_until), (Decimal(0), (), None)
        )

    def test_half_year_end(self):
        self.assertEqual(half_year_end(date(2026, 1, 1)), date(2026, 6, 30))
        self.assertEqual(half_year_end(date(2026, 7, 1)), date(2026, 12, 31))

    @settings(max_examples=200, deadline=None)
    @given(
        amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
        start=st.dates(min_value=date(2019, 1, 1), max_value=date(2025, 12, 1)),
        length=st.integers(min_value=2, max_value=900),
        cut=st.floats(min_value=0, max_value=1),
        consumer=st.booleans(),
    )
    def test_splitting_a_period_never_changes_the_total_beyond_rounding(
        self, amount, start, length, cut, consumer
    ):
        schedule = CONSUMER if consumer else BUSINESS
        end = min(start + timedelta(days=length), date(2026, 6, 30))
        split = start + timedelta(days=int((end - start).days * cut))
        changes = ((date(2000, 1, 1), amount),)
        whole = accrue(changes, start, end, schedule)
        first = accrue(changes, start, split, schedule)
        second = accrue(changes, split, end, schedule)
        self.assertLessEqual(abs(first.amount + second.amount - whole.amount), Decimal("0.01"))
        self.assertEqual(sum(p.days for p in whole.periods), (end - start).days)
