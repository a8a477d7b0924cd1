"""Default interest arithmetic, without a database."""

from calendar import isleap
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from unittest import TestCase

from hypothesis import given, settings
from hypothesis import strategies as st

from ..engine.interest import (
    ACT_365,
    ACT_ACT,
    BUSINESS_MARGIN,
    CONSUMER_MARGIN,
    DAY_COUNTS,
    accrue,
    fixed_schedule,
    half_year_end,
    statutory_schedule,
    year_days,
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

# Base rates before the shipped data, for the published examples of 2009-2016.
# https://github.com/digineo/verzugszinsen/blob/a36bad5e77d9f98517707025700c2a8834079d1f/lib/basiszinssatz.yml
# (quoting basiszinssatz.info) and
# https://github.com/ameax/bgb-interest/blob/40dde0b5032b54b0889cff0263cb4975a178e75a/data/base_rates.json
# (the Bundesbank's series BBIN1/M.DE.BBK.BBKBAS2) agree on these; the
# 0.12 % of 2009-07-01 held, unchanged, until 2011-06-30, as did -0.83 % of
# 2015-01-01 until 2016-06-30.
HISTORIC_BASE_RATES = [
    (date(2009, 7, 1), Decimal("0.12")),
    (date(2011, 7, 1), Decimal("0.37")),
    (date(2012, 1, 1), Decimal("0.12")),
    (date(2013, 1, 1), Decimal("-0.13")),
    (date(2013, 7, 1), Decimal("-0.38")),
    (date(2014, 1, 1), Decimal("-0.63")),
    (date(2014, 7, 1), Decimal("-0.73")),
    (date(2015, 1, 1), Decimal("-0.83")),
    *BASE_RATES,
]
# Before 2014-07-29 the business margin was 8 points, not 9
# (https://basiszinssatz.de/dokumentation/: "Seit 01.01.2002: 8% über
# Basiszinssatz", "Seit 29.07.2014: 9% über Basiszinssatz").
HISTORIC_BUSINESS_2009 = statutory_schedule(HISTORIC_BASE_RATES, Decimal(8))
HISTORIC_CONSUMER = statutory_schedule(HISTORIC_BASE_RATES, CONSUMER_MARGIN)


def owed(amount):
    """One open amount for all days."""
    return ((date(2000, 1, 1), Decimal(amount)),)


def shape(result):
    """(first day, last day, days, rate, divisor) of each period."""
    return [(p.date_from, p.date_to, p.days, p.rate, p.year_days) for p in result.periods]


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


class TestDayCount(TestCase):
    """act/365 and act/act against published figures (source and reasoning per test)."""

    def test_issue_figure_inside_leap_year(self):
        """Issue 15: 24,466.00 EUR at 9 points over 3.62 %, 01.01.-30.06.2024 both included.

        Stated there: 1,535.37 EUR act/act, 1,539.57 EUR act/365. 182 days at
        12.62 %: 24466 * 12.62 % * 182 = 561,944.8744; / 366 = 1,535.3685;
        / 365 = 1,539.574998 -- just below the half cent, so one rounding at
        the end gives .57 (rounding a daily amount first would not).
        """
        changes = owed("24466.00")
        act_act = accrue(
            changes, date(2023, 12, 31), date(2024, 6, 30), BUSINESS, day_count=ACT_ACT
        )
        act_365 = accrue(
            changes, date(2023, 12, 31), date(2024, 6, 30), BUSINESS, day_count=ACT_365
        )
        self.assertEqual(
            shape(act_act), [(date(2024, 1, 1), date(2024, 6, 30), 182, Decimal("12.62"), 366)]
        )
        self.assertEqual(act_act.amount, Decimal("1535.37"))
        self.assertEqual(act_365.amount, Decimal("1539.57"))
        self.assertEqual((act_act.day_count, act_365.day_count), (ACT_ACT, ACT_365))

    def test_digineo_example_across_rate_changes_into_leap_year(self):
        """1,500 EUR at 8 points, 15.09.2009-17.02.2012 (both included): 297.50 EUR.

        https://github.com/digineo/verzugszinsen/blob/ac1c0187276555aac03522c09fbc7b903ac432db/README.md
        (Digineo GmbH's open-source calculator) prints per half-year
        36.0395 (108 days 8.12 %), 60.3995 (181), 61.4005 (184), 60.3995 (181),
        63.2910 (184 days 8.37 %), 15.9738 (48 days 8.12 % in 2012) and a total
        of 297.50. Its lib/verzugszinsen.rb divides by the days of the period's
        calendar year (act/act: 1500 * 8.12 % * 48 / 366 = 15.9738) and rounds
        each row to 4 places, then the sum to cents; we sum unrounded and round
        once, which gives the same cents here. The four 8.12 % rows of 2009-2011
        are one period for us (same principal, rate and divisor):
        1500 * 8.12 % * 654 / 365 = 218.2389 (theirs 218.2390 after their
        4-place rounding).
        """
        changes = owed("1500")
        result = accrue(
            changes, date(2009, 9, 14), date(2012, 2, 17), HISTORIC_BUSINESS_2009, day_count=ACT_ACT
        )
        self.assertEqual(
            shape(result),
            [
                (date(2009, 9, 15), date(2011, 6, 30), 654, Decimal("8.12"), 365),
                (date(2011, 7, 1), date(2011, 12, 31), 184, Decimal("8.37"), 365),
                (date(2012, 1, 1), date(2012, 2, 17), 48, Decimal("8.12"), 366),
            ],
        )
        four_places = [p.amount.quantize(Decimal("0.0001")) for p in result.periods]
        self.assertEqual(four_places, [Decimal("218.2389"), Decimal("63.2910"), Decimal("15.9738")])
        self.assertEqual(result.amount, Decimal("297.50"))
        # derived: act/365 divides the 48 days of 2012 by 365 (16.0175): 297.55
        act_365 = accrue(changes, date(2009, 9, 14), date(2012, 2, 17), HISTORIC_BUSINESS_2009)
        self.assertEqual(act_365.amount, Decimal("297.55"))

    def test_claim_statement_across_two_rate_changes_and_a_year_end(self):
        """A Forderungsaufstellung gemäß § 367 BGB dated 14.04.2026, made with fordify.de.

        https://github.com/jenswittern-dev/fordify-app/blob/4433109af7cd4f31154df9aa1183de690b95a3d6/docs/archive/feedback/runde-5/Forderungsaufstellung%20%E2%80%93%20Interlead%20GmbH%20._.%20Solar%20GMI%20GmbH%20%E2%80%93%2014.4.2026.pdf
        states, at 9 points over the base rate, "11.03.2025 - 13.03.2026 Zinsen
        HF 1 1.083,46 EUR" on 10,162.60 EUR and "Zinsen HF 2 692,70 EUR" on
        6,497.40 EUR. fordify (frontend/js/zinsen.js) counts both days, divides
        by 365 and rounds each period to cents. 2025 and 2026 have 365 days, so
        act/act gives the same, and the stretch from 01.07.2025 at 10.27 %
        (base 1.27 % in both half-years) stays one period across 1 January:
        10162.60 * 11.27 % * 112 / 365 = 351.4422 plus
        10162.60 * 10.27 % * 256 / 365 = 732.0190, together 1,083.4612.
        """
        for principal, stated in (("10162.60", "1083.46"), ("6497.40", "692.70")):
            for day_count in DAY_COUNTS:
                result = accrue(
                    owed(principal),
                    date(2025, 3, 10),
                    date(2026, 3, 13),
                    BUSINESS,
                    day_count=day_count,
                )
                self.assertEqual(
                    shape(result),
                    [
                        (date(2025, 3, 11), date(2025, 6, 30), 112, Decimal("11.27"), 365),
                        (date(2025, 7, 1), date(2026, 3, 13), 256, Decimal("10.27"), 365),
                    ],
                )
                self.assertEqual(result.amount, Decimal(stated))

    def test_ameax_suite_counts_the_change_day_at_the_old_rate(self):
        """10,000 EUR due 01.01.2023, paid 01.07.2023: 181 days.

        https://github.com/ameax/bgb-interest/blob/40dde0b5032b54b0889cff0263cb4975a178e75a/tests/Unit/BgbInterestTest.php
        expects "(10000 * 6.62 * 181) / 36500 = 328.28" for a consumer and
        "(10000 * 10.62 * 181) / 36500 = 526.64" for a business: act/365, but
        all 181 days at the first half-year's rate (its period runs
        2023-01-01..2023-07-01). The base rate changes *on* 1 July (BGB §247),
        so for us 1 July 2023 is a day at 3.12 %: derived
        10000 * 6.62 % * 180 / 365 = 326.4658 + 10000 * 8.12 % / 365 = 2.2247
        = 328.69, and 523.7260 + 3.3205 = 527.05 for a business. With their
        single rate all along we give their figures.
        """
        changes = owed("10000")
        consumer = accrue(changes, date(2023, 1, 1), date(2023, 7, 1), CONSUMER)
        self.assertEqual(
            shape(consumer),
            [
                (date(2023, 1, 2), date(2023, 6, 30), 180, Decimal("6.62"), 365),
                (date(2023, 7, 1), date(2023, 7, 1), 1, Decimal("8.12"), 365),
            ],
        )
        self.assertEqual(consumer.amount, Decimal("328.69"))
        business = accrue(changes, date(2023, 1, 1), date(2023, 7, 1), BUSINESS)
        self.assertEqual(business.amount, Decimal("527.05"))
        for rate, theirs in (("6.62", "328.28"), ("10.62", "526.64")):
            for day_count in DAY_COUNTS:  # 2023 is no leap year: the same
                result = accrue(
                    changes,
                    date(2023, 1, 1),
                    date(2023, 7, 1),
                    fixed_schedule(Decimal(rate)),
                    day_count=day_count,
                )
                self.assertEqual(result.amount, Decimal(theirs))

    def test_negative_base_rate_2014_consumer_margin(self):
        """2,231.25 EUR at 5 points over -0.63 % = 4.37 %, 08.05.-20.06.2014: 44 days.

        https://www.haufe.de/recht/deutsches-anwalt-office-premium/zap-72016-gebuehrentipps-fuer-rechtsanwaelte-d-gegenstand-der-rueckfestsetzung_idesk_PI17574_HI9807644.html
        (ZAP 7/2016; costs interest under §104 ZPO, 5 points as for a consumer,
        "ab Eingang ... am 8.5.2014", paid 20.6.2014, "insgesamt 44 Zinstage")
        computes 2,231.25 * 4.37 % = 97.505 a year, / 360 =
        0.2708 a day (rounded per day), * 44 = 11.92 EUR. That is the 360-day
        year and a rounded daily amount; by the actual days (2014 has 365, so
        act/act is the same) derived: 97.505625 * 44 / 365 = 11.7541 -> 11.75.
        """
        for day_count in DAY_COUNTS:
            result = accrue(
                owed("2231.25"),
                date(2014, 5, 7),  # the source counts the day of receipt, 8 May
                date(2014, 6, 20),
                HISTORIC_CONSUMER,
                day_count=day_count,
            )
            self.assertEqual(
                shape(result), [(date(2014, 5, 8), date(2014, 6, 20), 44, Decimal("4.37"), 365)]
            )
            self.assertEqual(result.amount, Decimal("11.75"))

    def test_negative_base_rate_2018_lawyers_program(self):
        """354.16 EUR at 5 points over -0.88 % = 4.12 %, 30.04.-17.06.2018: 49 days.

        https://kosmologelei.wordpress.com/tag/mathematik/ reports a law
        firm's program charging 1.99 EUR for this and says the day of the
        payment (18.06.) is not counted, 49 days. 1.99 matches a 360-day year
        (354.16 * 4.12 % * 49 / 360 = 1.9860, our reading); by the actual days,
        derived: 354.16 * 4.12 % * 49 / 365 = 1.9588 -> 1.96 (2018 has 365
        days, act/act the same).
        """
        for day_count in DAY_COUNTS:
            result = accrue(
                owed("354.16"), date(2018, 4, 29), date(2018, 6, 17), CONSUMER, day_count=day_count
            )
            self.assertEqual(
                shape(result), [(date(2018, 4, 30), date(2018, 6, 17), 49, Decimal("4.12"), 365)]
            )
            self.assertEqual(result.amount, Decimal("1.96"))

    def test_twenty_five_days_at_5_12_percent(self):
        """1,000.00 EUR, consumer, 25 days at 5.12 %: 3.51 EUR.

        https://anleiter.de/wie-berechnet-man-verzugszinsen/ ("Kapital x Tage x
        Prozentsatz geteilt durch 365 x 100"). The page names no dates; 5.12 %
        is 5 points over the 0.12 % of 2009-07 to 2011-06 and of 2012. Placed in
        March 2010 both conventions give 3.5068 -> 3.51; derived: in March 2012
        (a leap year) act/act gives 1000 * 5.12 % * 25 / 366 = 3.4973 -> 3.50.
        """
        for day_count in DAY_COUNTS:
            in_2010 = accrue(
                owed("1000.00"),
                date(2010, 3, 1),
                date(2010, 3, 26),
                HISTORIC_CONSUMER,
                day_count=day_count,
            )
            self.assertEqual(in_2010.amount, Decimal("3.51"))
        in_2012 = accrue(owed("1000.00"), date(2012, 3, 1), date(2012, 3, 26), HISTORIC_CONSUMER)
        self.assertEqual(in_2012.amount, Decimal("3.51"))
        in_2012 = accrue(
            owed("1000.00"),
            date(2012, 3, 1),
            date(2012, 3, 26),
            HISTORIC_CONSUMER,
            day_count=ACT_ACT,
        )
        self.assertEqual(in_2012.amount, Decimal("3.50"))

    def test_fixed_rate_through_29_february(self):
        """10,000 EUR at 6 %, 01.01.-30.07.2016, 29 February included.

        https://p-konto.de/wiki/zinsformel/ counts 210 days, every month as 30
        ("ohne Rücksicht auf Schaltjahre"), and gets 10,000 * 210 * 6 / 36,000
        = 350 EUR (30/360, which we do not offer). By the actual days,
        31+29+31+30+31+30+30 = 212, derived: act/act 10000 * 6 % * 212 / 366
        = 347.5410 -> 347.54; act/365 212 / 365 -> 348.49.
        """
        rate = fixed_schedule(Decimal(6))
        act_act = accrue(
            owed("10000"), date(2015, 12, 31), date(2016, 7, 30), rate, day_count=ACT_ACT
        )
        self.assertEqual(shape(act_act), [(date(2016, 1, 1), date(2016, 7, 30), 212, 6, 366)])
        self.assertEqual(act_act.amount, Decimal("347.54"))
        act_365 = accrue(owed("10000"), date(2015, 12, 31), date(2016, 7, 30), rate)
        self.assertEqual(act_365.amount, Decimal("348.49"))

    def test_29_february_alone(self):
        """Derived: 10,000 EUR at 12.62 % for 29.02.2024: 1262 / 366 = 3.4481 -> 3.45 act/act,
        1262 / 365 = 3.4575 -> 3.46 act/365."""
        for day_count, expected, divisor in ((ACT_ACT, "3.45", 366), (ACT_365, "3.46", 365)):
            result = accrue(
                owed("10000"), date(2024, 2, 28), date(2024, 2, 29), BUSINESS, day_count=day_count
            )
            self.assertEqual(result.periods[0].year_days, divisor)
            self.assertEqual(result.amount, Decimal(expected))

    def test_across_31_december_2023_into_leap_year(self):
        """Derived: 10,000 EUR, business, 16.12.2023-15.01.2024.

        16 days of 2023 at 12.12 % / 365 = 53.1288; 15 days of 2024 at 12.62 %:
        act/act / 366 = 51.7213 -> 104.85; act/365 / 365 = 51.8630 -> 104.99.
        """
        act_act = accrue(
            owed("10000"), date(2023, 12, 15), date(2024, 1, 15), BUSINESS, day_count=ACT_ACT
        )
        self.assertEqual(
            shape(act_act),
            [
                (date(2023, 12, 16), date(2023, 12, 31), 16, Decimal("12.12"), 365),
                (date(2024, 1, 1), date(2024, 1, 15), 15, Decimal("12.62"), 366),
            ],
        )
        self.assertEqual(act_act.amount, Decimal("104.85"))
        act_365 = accrue(owed("10000"), date(2023, 12, 15), date(2024, 1, 15), BUSINESS)
        self.assertEqual(act_365.amount, Decimal("104.99"))

    def test_across_31_december_2024_out_of_leap_year(self):
        """Derived: 10,000 EUR, business, 16.12.2024-15.01.2025.

        16 days of 2024 at 12.37 %: act/act / 366 = 54.0765, act/365 / 365 =
        54.2247; 15 days of 2025 at 11.27 % / 365 = 46.3151 in both:
        100.39 act/act, 100.54 act/365.
        """
        act_act = accrue(
            owed("10000"), date(2024, 12, 15), date(2025, 1, 15), BUSINESS, day_count=ACT_ACT
        )
        self.assertEqual(
            shape(act_act),
            [
                (date(2024, 12, 16), date(2024, 12, 31), 16, Decimal("12.37"), 366),
                (date(2025, 1, 1), date(2025, 1, 15), 15, Decimal("11.27"), 365),
            ],
        )
        self.assertEqual(act_act.amount, Decimal("100.39"))
        act_365 = accrue(owed("10000"), date(2024, 12, 15), date(2025, 1, 15), BUSINESS)
        self.assertEqual(act_365.amount, Decimal("100.54"))

    def test_negative_base_rate_across_1_january_2020(self):
        """Derived: 5,000 EUR, consumer, 4.12 % (-0.88 + 5) in both years, 16.12.2019-15.01.2020.

        The rate does not change on 1 January 2020, the divisor does, so act/act
        splits there: 5000 * 4.12 % * 16 / 365 = 9.0301 + 15 / 366 = 8.4426
        -> 17.47; act/365 keeps one period of 31 days: 17.4959 -> 17.50.
        """
        act_act = accrue(
            owed("5000"), date(2019, 12, 15), date(2020, 1, 15), CONSUMER, day_count=ACT_ACT
        )
        self.assertEqual(
            shape(act_act),
            [
                (date(2019, 12, 16), date(2019, 12, 31), 16, Decimal("4.12"), 365),
                (date(2020, 1, 1), date(2020, 1, 15), 15, Decimal("4.12"), 366),
            ],
        )
        self.assertEqual(act_act.amount, Decimal("17.47"))
        act_365 = accrue(owed("5000"), date(2019, 12, 15), date(2020, 1, 15), CONSUMER)
        self.assertEqual(
            shape(act_365), [(date(2019, 12, 16), date(2020, 1, 15), 31, Decimal("4.12"), 365)]
        )
        self.assertEqual(act_365.amount, Decimal("17.50"))

    def test_negative_base_rate_change_in_leap_year_2016(self):
        """Derived: 5,000 EUR, consumer, 15.02.-31.08.2016: base -0.83 %, from 01.07. -0.88 %.

        137 days at 4.17 % and 62 days at 4.12 %: act/act 78.0451 + 34.8962 =
        112.94; act/365 78.2589 + 34.9918 = 113.25.
        """
        act_act = accrue(
            owed("5000"), date(2016, 2, 14), date(2016, 8, 31), HISTORIC_CONSUMER, day_count=ACT_ACT
        )
        self.assertEqual(
            shape(act_act),
            [
                (date(2016, 2, 15), date(2016, 6, 30), 137, Decimal("4.17"), 366),
                (date(2016, 7, 1), date(2016, 8, 31), 62, Decimal("4.12"), 366),
            ],
        )
        self.assertEqual(act_act.amount, Decimal("112.94"))
        act_365 = accrue(owed("5000"), date(2016, 2, 14), date(2016, 8, 31), HISTORIC_CONSUMER)
        self.assertEqual(act_365.amount, Decimal("113.25"))

    def test_a_whole_leap_year_is_one_year_under_act_act(self):
        """Derived: 1,000 EUR at 4.12 % for 2020 (366 days): act/act 41.20, one year's interest;
        act/365 counts 366/365 of a year: 41.3129 -> 41.31. 2019: 41.20 in both."""
        leap = accrue(THOUSAND, date(2019, 12, 31), date(2020, 12, 31), CONSUMER, day_count=ACT_ACT)
        self.assertEqual(leap.amount, Decimal("41.20"))
        self.assertEqual(
            accrue(THOUSAND, date(2019, 12, 31), date(2020, 12, 31), CONSUMER).amount,
            Decimal("41.31"),
        )
        for day_count in DAY_COUNTS:
            plain = accrue(
                THOUSAND, date(2018, 12, 31), date(2019, 12, 31), CONSUMER, day_count=day_count
            )
            self.assertEqual(plain.amount, Decimal("41.20"))

    def test_act_365_is_the_default(self):
        changes = ((date(2023, 11, 1), Decimal("900.00")), (date(2024, 2, 1), Decimal("400.00")))
        default = accrue(changes, date(2023, 11, 1), date(2024, 9, 1), BUSINESS)
        explicit = accrue(changes, date(2023, 11, 1), date(2024, 9, 1), BUSINESS, day_count=ACT_365)
        self.assertEqual(default, explicit)
        self.assertEqual(default.day_count, ACT_365)
        self.assertEqual({p.year_days for p in default.periods}, {365})

    def test_unknown_day_count_is_refused(self):
        with self.assertRaisesRegex(ValueError, "'act_360'"):
            accrue(THOUSAND, date(2024, 1, 1), date(2024, 2, 1), BUSINESS, day_count="act_360")
        # refused even when there is nothing to charge
        with self.assertRaisesRegex(ValueError, "'30/360'"):
            accrue(THOUSAND, date(2024, 1, 1), date(2024, 1, 1), BUSINESS, day_count="30/360")

    def test_year_days(self):
        self.assertEqual(year_days(date(2024, 2, 29), ACT_ACT), 366)
        self.assertEqual(year_days(date(2024, 2, 29), ACT_365), 365)
        self.assertEqual(year_days(date(2100, 6, 1), ACT_ACT), 365)  # no leap year
        self.assertEqual(year_days(date(2000, 6, 1), ACT_ACT), 366)


# Random schedules: a base rate for each half-year 2012-2027 (from below the lowest
# known, -0.88 %, to above 5 %) plus a margin, or one fixed rate. Hundredths are
# drawn as integers: much faster than st.decimals, the same values.
HALF_YEARS = [date(year, month, 1) for year in range(2012, 2028) for month in (1, 7)]
LAST_COVERED = date(2027, 12, 31)


def hundredths(low, high):
    return st.integers(low, high).map(lambda n: Decimal(n) / 100)


schedules = st.one_of(
    st.builds(
        statutory_schedule,
        st.lists(hundredths(-100, 500), min_size=len(HALF_YEARS), max_size=len(HALF_YEARS)).map(
            lambda rates: list(zip(HALF_YEARS, rates, strict=True))
        ),
        st.sampled_from([CONSUMER_MARGIN, BUSINESS_MARGIN]),
    ),
    st.builds(fixed_schedule, hundredths(1, 2000)),
)
amounts = hundredths(0, 100_000_000)  # up to 1,000,000.00


@st.composite
def balance_changes(draw, start):
    """The open amount from ``start`` on, then up to four payments (or reversals) after it."""
    changes = [(start, draw(hundredths(1, 100_000_000)))]
    for offset in sorted(draw(st.lists(st.integers(1, 1000), max_size=4, unique=True))):
        changes.append((start + timedelta(days=offset), draw(amounts)))
    return tuple(changes)


class TestDayCountProperties(TestCase):
    @settings(max_examples=200, deadline=None)
    @given(
        data=st.data(),
        start=st.dates(min_value=date(2012, 1, 1), max_value=date(2027, 6, 30)),
        length=st.integers(min_value=1, max_value=1100),
        schedule=schedules,
        day_count=st.sampled_from(DAY_COUNTS),
    )
    def test_charging_letter_by_letter_adds_up_to_charging_at_once(
        self, data, start, length, schedule, day_count
    ):
        """Splitting a period at any letter dates moves the total by at most a cent per letter."""
        end = min(start + timedelta(days=length), LAST_COVERED)
        changes = data.draw(balance_changes(start))
        days = (end - start).days
        cuts = data.draw(st.lists(st.integers(1, max(days - 1, 1)), max_size=6, unique=True))
        letter_dates = [*sorted({start + timedelta(days=cut) for cut in cuts if cut < days}), end]
        whole = accrue(changes, start, end, schedule, day_count=day_count)
        letters = []
        charged_until = start
        for letter_date in letter_dates:
            letters.append(
                accrue(changes, charged_until, letter_date, schedule, day_count=day_count)
            )
            charged_until = letter_date
        self.assertLessEqual(
            abs(sum(letter.amount for letter in letters) - whole.amount),
            Decimal("0.01") * len(letters),
        )
        # unrounded, the letters charge the very same days at the same rates and divisors
        unrounded = sum(p.amount for letter in letters for p in letter.periods)
        self.assertLess(abs(unrounded - sum(p.amount for p in whole.periods)), Decimal("1e-15"))
        self.assertEqual(
            sum(p.days for letter in letters for p in letter.periods),
            sum(p.days for p in whole.periods),
        )
        for period in whole.periods:  # every year a period touches has its divisor
            years = range(period.date_from.year, period.date_to.year + 1)
            self.assertEqual(
                {year_days(date(year, 1, 1), day_count) for year in years}, {period.year_days}
            )

    @settings(max_examples=100, deadline=None)
    @given(
        data=st.data(),
        year=st.integers(min_value=2012, max_value=2027).filter(lambda year: not isleap(year)),
        schedule=schedules,
    )
    def test_act_act_is_act_365_inside_a_year_without_29_february(self, data, year, schedule):
        first = data.draw(st.integers(min_value=0, max_value=364))
        start = date(year - 1, 12, 31) + timedelta(days=first)  # the day before the first charged
        end = start + timedelta(days=data.draw(st.integers(min_value=1, max_value=365 - first)))
        changes = data.draw(balance_changes(start))
        act_act = accrue(changes, start, end, schedule, day_count=ACT_ACT)
        act_365 = accrue(changes, start, end, schedule, day_count=ACT_365)
        self.assertEqual(end.year, year)
        self.assertEqual(act_act.periods, act_365.periods)
        self.assertEqual(act_act.amount, act_365.amount)

    @settings(max_examples=100, deadline=None)
    @given(
        year=st.integers(min_value=2001, max_value=2099),
        principal=hundredths(1, 100_000_000),
        rate=hundredths(1, 2000),
    )
    def test_act_act_charges_a_calendar_year_as_one_year(self, year, principal, rate):
        result = accrue(
            owed(principal),
            date(year - 1, 12, 31),
            date(year, 12, 31),
            fixed_schedule(rate),
            day_count=ACT_ACT,
        )
        self.assertEqual(
            result.amount, (principal * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        )
