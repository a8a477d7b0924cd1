"""Which invoice of a collection case carries each dunning charge, without a database."""

from datetime import date
from decimal import Decimal
from unittest import TestCase

from ..engine.claim_charges import (
    FEE_DUNNING,
    FEE_FLAT,
    FEE_OPEN_REST,
    CaseInvoice,
    ChargeInvoice,
    ChargeLetter,
    ClaimFee,
    ClaimInterest,
    InvoiceCharges,
    LetterLineCharges,
    attribute_charges,
)

# The case's invoices: INV/1 is due first, INV/2 and INV/3 later; INV/9 is not in the case.
INV1 = CaseInvoice(1, date(2026, 3, 15))
INV2 = CaseInvoice(2, date(2026, 3, 31))
INV3 = CaseInvoice(3, date(2026, 4, 15))
OUTSIDE = 9


def line(move_id, name, escalated=True, flat_fee="0", interest="0", **interest_values):
    """A letter line for document ``move_id`` with the charges given as text amounts."""
    return LetterLineCharges(
        move_id=move_id,
        move_name=name,
        escalated=escalated,
        flat_fee=Decimal(flat_fee),
        interest=Decimal(interest),
        **interest_values,
    )


def charge_invoice(name, letters, total=None, residual=None, day=date(2026, 4, 19)):
    """A charge invoice posted for ``letters``: open in full with their charges unless told."""
    if total is None:
        total = sum(
            (
                letter.fee + sum((ln.flat_fee + ln.interest for ln in letter.lines), Decimal(0))
                for letter in letters
            ),
            Decimal(0),
        )
    return ChargeInvoice(
        name=name,
        date=day,
        amount_total=Decimal(total),
        amount_residual=Decimal(total if residual is None else residual),
        letters=tuple(letters),
    )


def by_invoice(result):
    return {charges.invoice_id: charges for charges in result}


class TestAttributeCharges(TestCase):
    def test_fee_goes_to_the_invoice_the_letter_escalated(self):
        letter = ChargeLetter(
            "DUN/7", date(2026, 4, 19), "2nd dunning", Decimal("2.50"), (line(1, "INV/1"),)
        )
        result = attribute_charges([INV1], [charge_invoice("CHG/1", [letter])])
        self.assertEqual(
            result,
            (
                InvoiceCharges(
                    invoice_id=1,
                    fees=(
                        ClaimFee(
                            FEE_DUNNING,
                            date(2026, 4, 19),
                            Decimal("2.50"),
                            letter="DUN/7",
                            level="2nd dunning",
                        ),
                    ),
                ),
            ),
        )

    def test_fee_goes_to_the_first_escalated_invoice_of_the_case(self):
        # INV/1 is due first but only listed; the document outside the case escalated first;
        # INV/3 is the first of the case the letter gave a new level.
        letter = ChargeLetter(
            "DUN/8",
            date(2026, 4, 19),
            "1st dunning",
            Decimal("5.00"),
            (
                line(1, "INV/1", escalated=False),
                line(OUTSIDE, "INV/9"),
                line(3, "INV/3"),
                line(2, "INV/2"),
            ),
        )
        result = by_invoice(attribute_charges([INV1, INV2, INV3], [charge_invoice("C", [letter])]))
        self.assertEqual(result[3].fees[0].amount, Decimal("5.00"))
        self.assertEqual((result[1].fees, result[2].fees), ((), ()))

    def test_fee_of_a_letter_escalating_none_of_the_case_goes_to_the_first_invoice(self):
        letter = ChargeLetter(
            "DUN/9",
            date(2026, 4, 19),
            "1st dunning",
            Decimal("5.00"),
            (line(OUTSIDE, "INV/9"), line(2, "INV/2", escalated=False)),
        )
        result = by_invoice(attribute_charges([INV2, INV1], [charge_invoice("C", [letter])]))
        self.assertEqual([fee.amount for fee in result[1].fees], [Decimal("5.00")])
        self.assertEqual(result[2].fees, ())

    def test_flat_fee_and_interest_go_to_their_invoice(self):
        letter = ChargeLetter(
            "DUN/10",
            date(2026, 4, 19),
            "2nd dunning",
            Decimal(0),
            (
                line(
                    2,
                    "INV/2",
                    flat_fee="40.00",
                    interest="3.21",
                    interest_principal=Decimal("1000.00"),
                    interest_rate="10.27 %",
                    interest_date_from=date(2026, 4, 1),
                    interest_date_to=date(2026, 4, 19),
                    interest_days=19,
                ),
            ),
        )
        result = by_invoice(attribute_charges([INV1, INV2], [charge_invoice("C", [letter])]))
        self.assertEqual(
            result[2].fees,
            (
                ClaimFee(
                    FEE_FLAT, date(2026, 4, 19), Decimal("40.00"), letter="DUN/10", invoice="INV/2"
                ),
            ),
        )
        self.assertEqual(
            result[2].interest,
            (
                ClaimInterest(
                    invoice="INV/2",
                    principal=Decimal("1000.00"),
                    rate="10.27 %",
                    date_from=date(2026, 4, 1),
                    date_to=date(2026, 4, 19),
                    days=19,
                    amount=Decimal("3.21"),
                ),
            ),
        )
        # a letter without a fee (0.00) adds no fee entry
        self.assertEqual((result[1].fees, result[1].interest), ((), ()))

    def test_charges_for_a_document_outside_the_case_go_whole_to_the_first_invoice(self):
        letter = ChargeLetter(
            "DUN/11",
            date(2026, 4, 19),
            "2nd dunning",
            Decimal(0),
            (
                line(
                    OUTSIDE,
                    "INV/9",
                    flat_fee="40.00",
                    interest="0.87",
                    interest_date_from=date(2026, 4, 2),
                ),
            ),
        )
        result = by_invoice(attribute_charges([INV2, INV1], [charge_invoice("C", [letter])]))
        [flat_fee] = result[1].fees
        [interest] = result[1].interest
        self.assertEqual((flat_fee.amount, flat_fee.invoice), (Decimal("40.00"), "INV/9"))
        self.assertEqual((interest.amount, interest.invoice), (Decimal("0.87"), "INV/9"))
        self.assertEqual((result[2].fees, result[2].interest), ((), ()))

    def test_a_charge_invoice_shared_by_several_invoices(self):
        """One letter for three invoices: each carries its own part, the fee its first one."""
        letter = ChargeLetter(
            "DUN/12",
            date(2026, 4, 19),
            "2nd dunning",
            Decimal("2.50"),
            (
                line(
                    1,
                    "INV/1",
                    flat_fee="40.00",
                    interest="4.39",
                    interest_date_from=date(2026, 3, 16),
                ),
                line(
                    2,
                    "INV/2",
                    flat_fee="40.00",
                    interest="1.13",
                    interest_date_from=date(2026, 4, 1),
                ),
                line(
                    3,
                    "INV/3",
                    escalated=False,
                    interest="0.01",
                    interest_date_from=date(2026, 4, 16),
                ),
            ),
        )
        charge = charge_invoice("CHG/2", [letter])
        self.assertEqual(charge.amount_total, Decimal("88.03"))
        result = by_invoice(attribute_charges([INV3, INV2, INV1], [charge]))
        self.assertEqual(
            [(fee.kind, fee.amount) for fee in result[1].fees],
            [(FEE_DUNNING, Decimal("2.50")), (FEE_FLAT, Decimal("40.00"))],
        )
        self.assertEqual([fee.amount for fee in result[2].fees], [Decimal("40.00")])
        self.assertEqual(result[3].fees, ())
        self.assertEqual(
            [[item.amount for item in result[key].interest] for key in (1, 2, 3)],
            [[Decimal("4.39")], [Decimal("1.13")], [Decimal("0.01")]],
        )
        # nothing split, nothing rounded: the parts add up to the charge invoice to the cent
        handed_over = sum(
            (
                sum((fee.amount for fee in charges.fees), Decimal(0))
                + sum((item.amount for item in charges.interest), Decimal(0))
                for charges in result.values()
            ),
            Decimal(0),
        )
        self.assertEqual(handed_over, Decimal("88.03"))

    def test_a_partly_paid_charge_invoice_goes_as_its_open_rest(self):
        letter = ChargeLetter(
            "DUN/13",
            date(2026, 4, 19),
            "2nd dunning",
            Decimal("2.50"),
            (line(2, "INV/2", flat_fee="40.00"),),
        )
        charge = charge_invoice("CHG/3", [letter], total="42.50", residual="41.49")
        result = by_invoice(attribute_charges([INV1, INV2], [charge]))
        self.assertEqual(
            result[1].fees,
            (ClaimFee(FEE_OPEN_REST, date(2026, 4, 19), Decimal("41.49"), charge="CHG/3"),),
        )
        self.assertEqual((result[2].fees, result[2].interest), ((), ()))

    def test_open_in_full_to_the_cent(self):
        letter = ChargeLetter(
            "DUN/14", date(2026, 4, 19), "2nd dunning", Decimal("2.50"), (line(1, "INV/1"),)
        )
        # less than half a cent apart: open in full, broken down into the letter's fee
        [charges] = attribute_charges(
            [INV1], [charge_invoice("C", [letter], total="2.50", residual="2.496")]
        )
        self.assertEqual(
            [(fee.kind, fee.amount) for fee in charges.fees], [(FEE_DUNNING, Decimal("2.50"))]
        )
        # half a cent apart: paid in part, handed over as the open rest
        [charges] = attribute_charges(
            [INV1], [charge_invoice("C", [letter], total="2.50", residual="2.495")]
        )
        self.assertEqual(
            [(fee.kind, fee.amount) for fee in charges.fees], [(FEE_OPEN_REST, Decimal("2.495"))]
        )

    def test_a_charge_invoice_without_letters_goes_as_its_open_rest(self):
        charge = charge_invoice("CHG/4", [], total="7.50", day=date(2026, 2, 1))
        [first, second] = attribute_charges([INV2, INV1], [charge])
        self.assertEqual(
            first.fees,
            (ClaimFee(FEE_OPEN_REST, date(2026, 2, 1), Decimal("7.50"), charge="CHG/4"),),
        )
        self.assertEqual(second.fees, ())

    def test_invoices_in_order_of_due_date_then_id(self):
        same_day = CaseInvoice(0, INV2.due_date)
        result = attribute_charges([INV3, INV2, same_day, INV1], [])
        self.assertEqual([charges.invoice_id for charges in result], [1, 0, 2, 3])
        self.assertEqual(attribute_charges([], [charge_invoice("C", [], total="2.50")]), ())

    def test_fees_by_date_and_interest_by_period(self):
        later = ChargeLetter(
            "DUN/20",
            date(2026, 4, 19),
            "2nd dunning",
            Decimal("2.50"),
            (
                line(
                    1,
                    "INV/1",
                    flat_fee="40.00",
                    interest="2.00",
                    interest_date_from=date(2026, 4, 6),
                ),
                line(OUTSIDE, "INV/0", interest="1.00", interest_date_from=date(2026, 4, 6)),
            ),
        )
        earlier = ChargeLetter(
            "DUN/10",
            date(2026, 4, 5),
            "1st dunning",
            Decimal("1.00"),
            (line(1, "INV/1", interest="3.00", interest_date_from=date(2026, 3, 16)),),
        )
        open_rest = charge_invoice("CHG/9", [], total="0.50", day=date(2026, 4, 19))
        [charges] = attribute_charges(
            [INV1],
            [charge_invoice("CHG/20", [later]), open_rest, charge_invoice("CHG/10", [earlier])],
        )
        # by date; of the same date in the order of the charge invoices, letters and lines
        self.assertEqual(
            [(fee.date, fee.kind, fee.amount) for fee in charges.fees],
            [
                (date(2026, 4, 5), FEE_DUNNING, Decimal("1.00")),
                (date(2026, 4, 19), FEE_DUNNING, Decimal("2.50")),
                (date(2026, 4, 19), FEE_FLAT, Decimal("40.00")),
                (date(2026, 4, 19), FEE_OPEN_REST, Decimal("0.50")),
            ],
        )
        # by first day, then by the invoice charged
        self.assertEqual(
            [(item.date_from, item.invoice, item.amount) for item in charges.interest],
            [
                (date(2026, 3, 16), "INV/1", Decimal("3.00")),
                (date(2026, 4, 6), "INV/0", Decimal("1.00")),
                (date(2026, 4, 6), "INV/1", Decimal("2.00")),
            ],
        )

    def test_interest_keeps_the_day_count_of_its_letter(self):
        act_act = ChargeLetter(
            "DUN/30",
            date(2024, 6, 30),
            "2nd dunning",
            Decimal(0),
            (line(1, "INV/1", interest="1535.37", interest_date_from=date(2024, 1, 1)),),
            day_count="act_act",
        )
        act_365 = ChargeLetter(
            "DUN/40",
            date(2024, 7, 14),
            "Handover",
            Decimal(0),
            (line(1, "INV/1", interest="117.43", interest_date_from=date(2024, 7, 1)),),
        )
        [charges] = attribute_charges(
            [INV1], [charge_invoice("CHG/30", [act_act]), charge_invoice("CHG/40", [act_365])]
        )
        self.assertEqual(
            [(item.date_from, item.day_count) for item in charges.interest],
            [(date(2024, 1, 1), "act_act"), (date(2024, 7, 1), "act_365")],
        )
