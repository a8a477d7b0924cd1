"""What a letter charges besides its items, and how it goes out: without a database."""

import unittest
from datetime import date
from decimal import Decimal

from ..engine.allocation import settlement_key
from ..engine.charges import (
    ChargeHistory,
    ChargeTerms,
    fee_due,
    letter_charges,
    open_amount_changes,
)
from ..engine.default import DefaultStart, DefaultTerms, default_start
from ..engine.escalation import DunningItem, ItemKind, LetterLinePlan, LetterPlan
from ..engine.interest import fixed_schedule, statutory_schedule
from ..engine.routing import (
    REASON_APPROVAL,
    REASON_NO_ADDRESS,
    REASON_NO_EMAIL,
    has_postal_address,
    route_letter,
)
from ..engine.writeoff import TaxShare, WriteOffSplit, vat_split

REMINDER, FIRST, SECOND = 1, 2, 3
DUE = date(2026, 1, 31)
LETTER_DATE = date(2026, 3, 2)  # 30 days after DUE


def line(item_id, amount="1000.00", move_id=None, level=None, holds=None, kind=ItemKind.OVERDUE):
    item = DunningItem(
        id=item_id,
        move_id=move_id or item_id * 10,
        partner_id=7,
        currency_id=1,
        date_maturity=DUE,
        amount_residual=Decimal(amount),
        amount_residual_currency=Decimal(amount),
    )
    return LetterLinePlan(item, kind, 30, level_id=level, holds_level_id=holds or level)


def plan(*lines):
    return LetterPlan(
        partner_id=7,
        currency_id=1,
        policy_id=1,
        level_id=max((ln.holds_level_id or 0) for ln in lines) or REMINDER,
        lines=tuple(lines),
        amount_overdue=sum((ln.item.amount_residual_currency for ln in lines), Decimal(0)),
        amount_credit=Decimal(0),
        amount_not_due=Decimal(0),
    )


TEN_PERCENT = fixed_schedule(Decimal(10))
# default by the calendar: every overdue item is in default from the day after its due date
CALENDAR = DefaultTerms(basis="due_date")
TERMS = ChargeTerms(
    fee=Decimal("5.00"), flat_fee=Decimal("40.00"), schedule=None, default_terms=CALENDAR
)


class TestFee(unittest.TestCase):
    def test_fee_when_an_invoice_escalates(self):
        letter = plan(line(1, level=FIRST), line(2, holds=FIRST))
        self.assertTrue(fee_due(letter, frozenset()))
        self.assertEqual(
            letter_charges(letter, TERMS, ChargeHistory(), frozenset(), LETTER_DATE).fee,
            Decimal("5.00"),
        )

    def test_no_fee_when_only_repeated_or_only_charges_escalate(self):
        repeated = plan(line(1, holds=FIRST))
        self.assertFalse(fee_due(repeated, frozenset()))
        charges_only = plan(line(1, level=FIRST), line(2, holds=FIRST))
        charge = letter_charges(charges_only, TERMS, ChargeHistory(), frozenset({1}), LETTER_DATE)
        self.assertEqual(charge.fee, Decimal(0))
        # the charge invoice's item is listed but charges nothing of its own
        self.assertNotIn(1, charge.flat_fees)
        self.assertEqual(charge.flat_fees, {2: Decimal("40.00")})


class TestFlatFee(unittest.TestCase):
    def test_not_before_default(self):
        # statutory default, no reminder delivered yet: 30 days after the due date
        terms = ChargeTerms(fee=Decimal("5.00"), flat_fee=Decimal("40.00"))
        charge = letter_charges(
            plan(line(1, level=REMINDER)), terms, ChargeHistory(), frozenset(), LETTER_DATE
        )
        self.assertEqual((charge.flat_fees, charge.defaults), ({}, {}))
        self.assertEqual(charge.total, Decimal("5.00"))
        # the next day (due date + 31) the invoice is in default: with its first letter
        charge = letter_charges(
            plan(line(1, level=REMINDER)), terms, ChargeHistory(), frozenset(), date(2026, 3, 3)
        )
        self.assertEqual(charge.flat_fees, {1: Decimal("40.00")})
        self.assertEqual(charge.defaults, {1: DefaultStart(date(2026, 3, 3), "thirty_days")})

    def test_not_on_an_item_not_in_default_beside_one_in_default(self):
        # the demo's case: an invoice 8 days overdue beside one long in default
        terms = ChargeTerms(flat_fee=Decimal("40.00"))
        recent = LetterLinePlan(
            DunningItem(
                id=5,
                move_id=50,
                partner_id=7,
                currency_id=1,
                date_maturity=date(2026, 2, 23),
                amount_residual=Decimal(100),
                amount_residual_currency=Decimal(100),
            ),
            ItemKind.OVERDUE,
            8,
            level_id=REMINDER,
        )
        letter = plan(line(1, holds=SECOND), recent)
        # item 1 is in default since 03.03. (due 31.01. + 31 days), item 5 is 8 days overdue
        charge = letter_charges(letter, terms, ChargeHistory(), frozenset(), date(2026, 3, 3))
        self.assertEqual(charge.flat_fees, {1: Decimal("40.00")})
        self.assertNotIn(5, charge.defaults)

    def test_once_per_invoice_in_default(self):
        # two installments of one invoice (move 10) and another invoice (move 30)
        letter = plan(
            line(1, "500.00", move_id=10, level=FIRST),
            line(2, "500.00", move_id=10, level=FIRST),
            line(3, "200.00", move_id=30, holds=SECOND),
        )
        charge = letter_charges(letter, TERMS, ChargeHistory(), frozenset(), LETTER_DATE)
        self.assertEqual(charge.flat_fees, {1: Decimal("40.00"), 3: Decimal("40.00")})
        self.assertEqual(charge.flat_fee_total, Decimal("80.00"))
        self.assertEqual(charge.total, Decimal("85.00"))

    def test_never_twice_for_an_invoice(self):
        history = ChargeHistory(flat_fee_moves=frozenset({10}))
        letter = plan(line(1, move_id=10, level=SECOND), line(2, move_id=20, level=SECOND))
        charge = letter_charges(letter, TERMS, history, frozenset(), LETTER_DATE)
        self.assertEqual(charge.flat_fees, {2: Decimal("40.00")})

    def test_none_when_not_owed(self):
        terms = ChargeTerms(fee=Decimal("5.00"), default_terms=CALENDAR)
        charge = letter_charges(
            plan(line(1, level=SECOND)), terms, ChargeHistory(), frozenset(), LETTER_DATE
        )
        self.assertEqual((charge.flat_fees, charge.total), ({}, Decimal("5.00")))

    def test_not_on_items_not_yet_due(self):
        letter = plan(line(1, level=SECOND), line(2, kind=ItemKind.NOT_DUE, holds=SECOND))
        charge = letter_charges(letter, TERMS, ChargeHistory(), frozenset(), LETTER_DATE)
        self.assertEqual(charge.flat_fees, {1: Decimal("40.00")})


class TestInterest(unittest.TestCase):
    terms = ChargeTerms(schedule=TEN_PERCENT, default_terms=CALENDAR)

    def test_from_the_day_after_maturity_to_the_letter_date(self):
        charge = letter_charges(
            plan(line(1, level=FIRST)), self.terms, ChargeHistory(), frozenset(), LETTER_DATE
        )
        result = charge.interest[1]
        # 1000.00 x 10 % x 30 / 365 = 8.2191...
        self.assertEqual(result.amount, Decimal("8.22"))
        self.assertEqual(
            (result.periods[0].date_from, result.charged_until),
            (date(2026, 2, 1), LETTER_DATE),
        )
        self.assertEqual(charge.total, Decimal("8.22"))

    def test_on_the_amount_open_each_day(self):
        # 400.00 paid on 15 Feb: 1000.00 for 14 days, then 600.00 for 16 days
        item = line(1, "600.00", level=FIRST)
        history = ChargeHistory(payments={1: [(date(2026, 2, 15), Decimal("400.00"))]})
        result = letter_charges(plan(item), self.terms, history, frozenset(), LETTER_DATE)
        # 3.8356... + 2.6301... = 6.4657...
        self.assertEqual(result.interest[1].amount, Decimal("6.47"))
        self.assertEqual(
            [(p.principal, p.days) for p in result.interest[1].periods],
            [(Decimal("1000.00"), 14), (Decimal("600.00"), 16)],
        )

    def test_from_the_day_after_the_last_day_charged(self):
        history = ChargeHistory(charged_until={1: date(2026, 2, 20)})
        result = letter_charges(
            plan(line(1, level=SECOND)), self.terms, history, frozenset(), LETTER_DATE
        )
        # 10 days: 1000.00 x 10 % x 10 / 365 = 2.7397...
        self.assertEqual(result.interest[1].amount, Decimal("2.74"))

    def test_never_on_charge_invoices(self):
        result = letter_charges(
            plan(line(1, "5.00", level=FIRST), line(2, level=FIRST)),
            self.terms,
            ChargeHistory(),
            frozenset({1}),
            LETTER_DATE,
        )
        self.assertEqual(list(result.interest), [2])

    def test_days_without_a_base_rate_are_left_for_later(self):
        # base rate known for the first half-year only: no days after 30 June
        schedule = statutory_schedule([(date(2026, 1, 1), Decimal("2.27"))], Decimal(9))
        letter = plan(line(1, level=FIRST))
        result = letter_charges(
            letter,
            ChargeTerms(schedule=schedule, default_terms=CALENDAR),
            ChargeHistory(charged_until={1: date(2026, 6, 20)}),
            frozenset(),
            date(2026, 7, 10),
        )
        # 10 days at 11.27 %: 3.0876... ; 1-10 July uncovered
        self.assertEqual(result.interest[1].amount, Decimal("3.09"))
        self.assertEqual(result.interest[1].charged_until, date(2026, 6, 30))
        self.assertEqual((result.uncovered_from, result.uncovered_days), (date(2026, 7, 1), 10))

    def test_open_amount_changes(self):
        payments = [(date(2026, 1, 20), Decimal("100")), (date(2026, 2, 10), Decimal("300"))]
        self.assertEqual(
            open_amount_changes(Decimal("600"), DUE, payments),
            ((DUE, Decimal("900")), (date(2026, 2, 10), Decimal("600"))),
        )


class TestRouting(unittest.TestCase):
    def test_email_without_address_goes_by_post(self):
        route = route_letter("email", has_email=False, has_address=True, approval_required=False)
        self.assertEqual(
            (route.channel, route.needs_approval, route.reasons),
            ("letter", False, (REASON_NO_EMAIL,)),
        )

    def test_post_without_address_waits(self):
        route = route_letter(
            "email_letter", has_email=False, has_address=False, approval_required=False
        )
        self.assertEqual(
            (route.channel, route.needs_approval, route.reasons),
            ("letter", True, (REASON_NO_EMAIL, REASON_NO_ADDRESS)),
        )

    def test_email_needs_no_postal_address(self):
        route = route_letter("email", has_email=True, has_address=False, approval_required=False)
        self.assertEqual((route.channel, route.needs_approval, route.reasons), ("email", False, ()))

    def test_approval_asked_for(self):
        route = route_letter("phone", has_email=False, has_address=False, approval_required=True)
        self.assertEqual(
            (route.channel, route.needs_approval, route.reasons),
            ("phone", True, (REASON_APPROVAL,)),
        )

    def test_postal_address_from_contact_or_customer(self):
        self.assertTrue(has_postal_address(("Weg 1", "", ""), ("", "10115", "Berlin")))
        self.assertFalse(has_postal_address(("Weg 1", "", ""), ("", "10115", "")))


class TestSettlementOrder(unittest.TestCase):
    def test_charges_first_then_oldest_due(self):
        items = [
            (1, False, date(2026, 1, 10)),
            (2, True, date(2026, 3, 1)),
            (3, False, date(2026, 1, 5)),
            (4, False, date(2026, 1, 5)),
        ]
        ordered = sorted(items, key=lambda i: settlement_key(i[1], i[2], i[0]))
        self.assertEqual([i[0] for i in ordered], [2, 3, 4, 1])


class TestVatSplit(unittest.TestCase):
    def test_one_rate(self):
        # 1,190.00 invoice at 19 %, 595.00 still open: 500.00 net + 95.00 VAT
        split = vat_split(
            Decimal("595.00"),
            [TaxShare("vat19", Decimal("1190.00"), Decimal(19))],
            Decimal("1190.00"),
        )
        self.assertEqual(split, WriteOffSplit((("vat19", Decimal("500.00")),), Decimal("0.00")))

    def test_two_rates_in_proportion(self):
        # 119.00 at 19 % and 107.00 at 7 %, all open (226.00)
        shares = [
            TaxShare("vat19", Decimal("119.00"), Decimal(19)),
            TaxShare("vat7", Decimal("107.00"), Decimal(7)),
        ]
        split = vat_split(Decimal("226.00"), shares, Decimal("226.00"))
        self.assertEqual(split.net, (("vat19", Decimal("100.00")), ("vat7", Decimal("100.00"))))
        self.assertEqual(split.gross, Decimal("0.00"))

    def test_untaxed_share_goes_gross(self):
        # 119.00 at 19 % and 40.00 without tax (say, a fee), 159.00 open
        shares = [
            TaxShare("vat19", Decimal("119.00"), Decimal(19)),
            TaxShare("none", Decimal("40.00"), None),
        ]
        split = vat_split(Decimal("159.00"), shares, Decimal("159.00"))
        self.assertEqual(split, WriteOffSplit((("vat19", Decimal("100.00")),), Decimal("40.00")))

    def test_part_without_exact_split_goes_gross(self):
        # 0.03 at 19 %: 0.02 + 0.00 and 0.03 + 0.01 miss it, so it goes gross
        vat19 = [TaxShare("vat19", Decimal("1.19"), Decimal(19))]
        self.assertEqual(
            vat_split(Decimal("0.03"), vat19, Decimal("1.19")), WriteOffSplit((), Decimal("0.03"))
        )
        # one cent does split: 0.01 net, its tax rounds to nothing
        self.assertEqual(
            vat_split(Decimal("0.01"), vat19, Decimal("1.19")),
            WriteOffSplit((("vat19", Decimal("0.01")),), Decimal("0.00")),
        )

    def test_nothing_taxable(self):
        split = vat_split(Decimal("45.00"), [], Decimal("45.00"))
        self.assertEqual(split, WriteOffSplit((), Decimal("45.00")))


# Bundesbank base rate: 2.27 % from 01.01.2025, 1.27 % from 01.07.2025
BASE_RATES_2025 = [(date(2025, 1, 1), Decimal("2.27")), (date(2025, 7, 1), Decimal("1.27"))]


class TestWorkedExamples(unittest.TestCase):
    """Issue 15's examples: 1,000.00 EUR due 15.05.2025, levels at 7 and 21 days, statutory."""

    due = date(2025, 5, 15)

    def letter(self, consumer=False, reminder_delivered=None, on=date(2025, 6, 5)):
        item = DunningItem(
            id=1,
            move_id=10,
            partner_id=7,
            currency_id=1,
            date_maturity=self.due,
            amount_residual=Decimal("1000.00"),
            amount_residual_currency=Decimal("1000.00"),
        )
        terms = ChargeTerms(
            flat_fee=Decimal(0) if consumer else Decimal("40.00"),
            schedule=statutory_schedule(BASE_RATES_2025, Decimal(5 if consumer else 9)),
            default_terms=DefaultTerms(consumer=consumer),
        )
        history = ChargeHistory(
            reminder_delivered={1: reminder_delivered} if reminder_delivered else {}
        )
        plan_ = plan(LetterLinePlan(item, ItemKind.OVERDUE, (on - self.due).days, level_id=FIRST))
        return letter_charges(plan_, terms, history, frozenset(), on)

    def test_business_reminder_then_second_letter(self):
        reminder = self.letter(on=date(2025, 5, 22))
        self.assertEqual((reminder.total, reminder.defaults), (Decimal(0), {}))
        second = self.letter(reminder_delivered=date(2025, 5, 22))
        # received 25.05. (3 days), in default from 26.05.: 11 days at 11.27 % = 3.3964...
        self.assertEqual(second.defaults, {1: DefaultStart(date(2025, 5, 26), "reminder")})
        self.assertEqual(second.interest[1].amount, Decimal("3.40"))
        self.assertEqual(second.interest[1].periods[0].date_from, date(2025, 5, 26))
        self.assertEqual(second.flat_fees, {1: Decimal("40.00")})
        self.assertEqual(second.total, Decimal("43.40"))

    def test_consumer_same_dates(self):
        second = self.letter(consumer=True, reminder_delivered=date(2025, 5, 22))
        # 11 days at 7.27 % = 2.1909...
        self.assertEqual(second.interest[1].amount, Decimal("2.19"))
        self.assertEqual((second.flat_fees, second.total), ({}, Decimal("2.19")))

    def test_business_first_dunned_late(self):
        first = self.letter(on=date(2025, 7, 10))
        # §286(3): in default from 15.06.; 16 days at 11.27 % + 10 days at 10.27 %
        # = 4.9403... + 2.8137... = 7.7540...
        self.assertEqual(first.defaults, {1: DefaultStart(date(2025, 6, 15), "thirty_days")})
        self.assertEqual(first.interest[1].amount, Decimal("7.75"))
        self.assertEqual(first.flat_fees, {1: Decimal("40.00")})

    def test_consumer_first_dunned_late_without_notice(self):
        # no §286(3) for consumers whose invoices did not point it out: no default yet
        first = self.letter(consumer=True, on=date(2025, 7, 10))
        self.assertEqual((first.defaults, first.total), ({}, Decimal(0)))


class TestDefaultStart(unittest.TestCase):
    due = date(2025, 5, 15)

    def test_bases(self):
        reminder = date(2025, 5, 22)
        cases = [
            (DefaultTerms(basis="due_date"), None, date(2025, 5, 16), "calendar"),
            (DefaultTerms(basis="reminder"), reminder, date(2025, 5, 26), "reminder"),
            (
                DefaultTerms(basis="reminder", receipt_days=0),
                reminder,
                date(2025, 5, 23),
                "reminder",
            ),
            (DefaultTerms(basis="statutory"), reminder, date(2025, 5, 26), "reminder"),
            (DefaultTerms(basis="statutory"), None, date(2025, 6, 15), "thirty_days"),
            # a reminder delivered late: §286(3) came first
            (DefaultTerms(basis="statutory"), date(2025, 6, 20), date(2025, 6, 15), "thirty_days"),
            # calendar-agreed payment term: the due date rules whatever the basis
            (
                DefaultTerms(basis="reminder", calendar_due=True),
                None,
                date(2025, 5, 16),
                "calendar",
            ),
            (
                DefaultTerms(consumer=True, consumer_notice=True),
                None,
                date(2025, 6, 15),
                "thirty_days",
            ),
        ]
        for terms, delivered, expected, reason in cases:
            with self.subTest(terms=terms, delivered=delivered):
                self.assertEqual(
                    default_start(self.due, delivered, terms), DefaultStart(expected, reason)
                )

    def test_not_in_default(self):
        self.assertIsNone(default_start(self.due, None, DefaultTerms(basis="reminder")))
        self.assertIsNone(default_start(self.due, None, DefaultTerms(consumer=True)))
        self.assertIsNone(default_start(None, None, DefaultTerms(basis="due_date")))

    def test_bad_terms(self):
        with self.assertRaisesRegex(ValueError, "unknown default basis 'later'"):
            DefaultTerms(basis="later")
        with self.assertRaisesRegex(ValueError, "receipt_days"):
            DefaultTerms(receipt_days=-1)

    def test_a_stated_default_is_kept(self):
        # a sent letter said 26.05. (reminder); the policy has since changed to due_date
        terms = ChargeTerms(flat_fee=Decimal("40.00"), default_terms=CALENDAR)
        history = ChargeHistory(known_defaults={1: DefaultStart(date(2026, 2, 20), "reminder")})
        charge = letter_charges(
            plan(line(1, level=SECOND)), terms, history, frozenset(), LETTER_DATE
        )
        self.assertEqual(charge.defaults, {1: DefaultStart(date(2026, 2, 20), "reminder")})

    def test_calendar_due_payment_term_item(self):
        terms = ChargeTerms(flat_fee=Decimal("40.00"), calendar_due_items=frozenset({1}))
        charge = letter_charges(
            plan(line(1, level=REMINDER), line(2, level=REMINDER)),
            terms,
            ChargeHistory(),
            frozenset(),
            LETTER_DATE,
        )
        self.assertEqual(charge.defaults, {1: DefaultStart(date(2026, 2, 1), "calendar")})
        self.assertEqual(charge.flat_fees, {1: Decimal("40.00")})
