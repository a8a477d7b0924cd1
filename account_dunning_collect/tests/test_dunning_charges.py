from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCharges(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consumer = cls._create_customer(
            "Erika Verbraucher", email="erika@example.com", is_company=False
        )
        cls.manager = cls._dunning_user(
            "charges_manager",
            "account_dunning_collect.group_dunning_manager",
            "account.group_account_invoice",
        )

    def _statutory(self, default_basis="due_date"):
        """Statutory interest; by default from the day after the due date (a payment date
        agreed by the calendar), so that the interest arithmetic is tested on its own --
        when default begins is tested in test_dunning_default.py."""
        self.policy.write({"interest_mode": "statutory", "default_basis": default_basis})

    def test_debtor_type(self):
        self.assertEqual(self.customer.dunning_debtor_type, "business")
        self.assertEqual(self.consumer.dunning_debtor_type, "consumer")
        self.consumer.dunning_debtor_type = "business"  # overridable
        self.assertEqual(self.consumer.dunning_debtor_type, "business")

    def test_interest_across_base_rate_change(self):
        """1,000.00 due 2025-05-15, letter 2025-09-01: 46 days at 11.27 %, 63 at 10.27 %."""
        self._statutory()
        invoice = self._invoice(self.customer, 1000.0, "2025-05-01")
        self.assertEqual(invoice.invoice_date_due, date(2025, 5, 15))
        self._run("2025-09-01")
        letter = self._letters()
        self.assertRecordValues(
            letter,
            [
                {
                    "level_id": self.reminder.id,
                    "amount_overdue": 1000.0,
                    "amount_fee": 0.0,
                    "amount_interest": 31.93,
                    "amount_total": 1031.93,
                    "interest_warning": False,
                }
            ],
        )
        self.assertRecordValues(
            letter.line_ids,
            [
                {
                    "interest_date_from": date(2025, 5, 16),
                    "interest_date_to": date(2025, 9, 1),
                    "interest_days": 109,
                    "interest_rate": "11.27 % / 10.27 %",
                    "amount_interest": 31.93,
                }
            ],
        )
        self.assertIn("46 days at 11.27 % on 1000.00", letter.line_ids.interest_detail)
        self.assertIn("63 days at 10.27 % on 1000.00", letter.line_ids.interest_detail)
        charge = letter.fee_move_id
        self.assertRecordValues(
            charge,
            [
                {
                    "move_type": "out_invoice",
                    "state": "posted",
                    "is_dunning_charge": True,
                    "partner_id": self.customer.id,
                    "amount_untaxed": 31.93,
                    "amount_tax": 0.0,
                    "amount_total": 31.93,
                    "invoice_date": date(2025, 9, 1),
                    "invoice_date_due": date(2025, 9, 4),
                    "invoice_origin": letter.name,
                }
            ],
        )
        self.assertEqual(charge.journal_id.type, "sale")
        self.assertEqual(
            charge.invoice_line_ids.product_id,
            self.env.ref("account_dunning_collect.product_dunning_interest"),
        )
        # no VAT: the 0 % tax that says why (not taxable, UStAE 1.3)
        self.assertEqual(charge.invoice_line_ids.tax_ids, self.company.dunning_charge_tax_id)
        self.assertEqual(charge.invoice_line_ids.tax_ids.amount, 0.0)

    def test_consumer_rate(self):
        self._statutory()
        self._invoice(self.consumer, 1000.0, "2025-05-01")
        self._run("2025-09-01")
        self.assertEqual(self._letters().amount_interest, 19.98)
        self.assertEqual(self._letters().line_ids.interest_rate, "7.27 % / 6.27 %")

    def test_negative_base_rate(self):
        self._statutory()
        self._invoice(self.customer, 1000.0, "2022-03-17")  # due 2022-03-31
        self._run("2022-06-30")
        self.assertEqual(self._letters().line_ids.interest_rate, "8.12 %")
        self.assertEqual(self._letters().amount_interest, 20.24)

    def test_second_letter_charges_the_increment_only(self):
        self._statutory()
        invoice = self._invoice(self.customer, 1000.0, "2025-05-01")
        self._run("2025-09-01")
        first_charge = self._letters().fee_move_id
        self._run("2025-09-15")
        second = self._letters()[-1]
        self.assertEqual(second.level_id, self.dunning1)
        item_line = second.line_ids.filtered(lambda line: line.move_id == invoice)
        self.assertRecordValues(
            item_line,
            [
                {
                    "interest_date_from": date(2025, 9, 2),
                    "interest_date_to": date(2025, 9, 15),
                    "interest_days": 14,
                    "amount_interest": 3.94,
                }
            ],
        )
        # the first letter's charge invoice is listed, overdue, but never charged itself
        charge_line = second.line_ids.filtered(lambda line: line.move_id == first_charge)
        self.assertRecordValues(
            charge_line,
            [
                {
                    "is_charge": True,
                    "kind": "overdue",
                    "level_id": False,
                    "amount_interest": 0.0,
                    "amount_residual": 31.93,
                }
            ],
        )
        self.assertRecordValues(
            second, [{"amount_overdue": 1031.93, "amount_interest": 3.94, "amount_total": 1035.87}]
        )

    def test_partial_payment_reduces_the_base_from_its_date(self):
        self._statutory()
        invoice = self._invoice(self.customer, 1000.0, "2025-05-01")
        self._pay(invoice, 400.0, "2025-06-15")
        self._run("2025-09-01")
        line = self._letters().line_ids
        self.assertEqual(line.amount_residual, 600.0)
        self.assertEqual(line.amount_interest, 22.86)
        self.assertIn("30 days at 11.27 % on 1000.00", line.interest_detail)
        self.assertIn("16 days at 11.27 % on 600.00", line.interest_detail)

    def test_missing_base_rate_warns_and_charges_the_gap_later(self):
        self._statutory()
        self._invoice(self.customer, 1000.0, "2026-05-17")  # due 2026-05-31
        run = self._run("2026-08-15")
        letter = self._letters()
        self.assertEqual(letter.amount_interest, 8.44)
        self.assertEqual(letter.line_ids.interest_date_to, date(2026, 6, 30))
        self.assertIn("No base interest rate from 07/01/2026", letter.interest_warning)
        self.assertIn("46 days", letter.interest_warning)
        self.assertIn("No base interest rate from 07/01/2026", run.log)
        self.env["dunning.base.rate"].create({"date_from": "2026-07-01", "rate": 1.77})
        self._run("2026-08-29")
        line = self._letters()[-1].line_ids.filtered(lambda line: not line.is_charge)
        self.assertRecordValues(
            line,
            [
                {
                    "interest_date_from": date(2026, 7, 1),
                    "interest_days": 60,
                    "amount_interest": 17.70,
                    "interest_rate": "10.77 %",
                }
            ],
        )
        self.assertFalse(self._letters()[-1].interest_warning)

    def test_fixed_rate(self):
        self.policy.write(
            {"interest_mode": "fixed", "interest_rate": 12.0, "default_basis": "due_date"}
        )
        self._invoice(self.customer, 1000.0, "2025-05-01")
        self._run("2025-06-14")  # 30 days overdue
        self.assertEqual(self._letters().amount_interest, 9.86)
        with self.assertRaisesRegex(ValidationError, "enter a rate above 0"):
            self.policy.interest_rate = 0

    def test_no_interest_by_default(self):
        self._invoice(self.customer, 1000.0, "2025-05-01")
        self._run("2025-09-01")
        self.assertRecordValues(
            self._letters(),
            [{"amount_interest": 0.0, "amount_total": 1000.0, "fee_move_id": False}],
        )

    def test_fee_invoice_on_the_second_dunning(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._run("2026-04-05")
        self.assertFalse(self._letters().fee_move_id)
        self._run("2026-04-19")
        letter = self._letters()[-1]
        self.assertRecordValues(
            letter, [{"level_id": self.dunning2.id, "amount_fee": 2.5, "amount_total": 1002.5}]
        )
        fee = letter.fee_move_id
        self.assertRecordValues(
            fee,
            [
                {
                    "is_dunning_charge": True,
                    "amount_total": 2.5,
                    "amount_tax": 0.0,
                    "invoice_date_due": date(2026, 4, 26),
                    "state": "posted",
                }
            ],
        )
        self.assertEqual(
            fee.invoice_line_ids.product_id,
            self.env.ref("account_dunning_collect.product_dunning_fee"),
        )
        # a further level lists the fee invoice but charges no fee on it
        self.env["dunning.level"].create(
            {
                "policy_id": self.policy.id,
                "name": "Final",
                "delay_days": 42,
                "sequence": 35,
                "channel": "letter",
                "fee_product_id": self.dunning2.fee_product_id.id,
            }
        )
        self._run("2026-05-03")
        final = self._letters()[-1]
        self.assertEqual(final.line_ids.filtered("is_charge").move_id, fee)
        self.assertEqual(final.line_ids.filtered("level_id").move_id, invoice)
        self.assertEqual(final.amount_overdue, 1002.5)
        self.assertEqual(final.amount_fee, 0.0)

    def test_flat_fee_once_per_invoice_for_businesses(self):
        self.policy.flat_fee_b2b = True
        first = self._invoice(self.customer, 100.0, "2026-03-01")
        second = self._invoice(self.customer, 200.0, "2026-03-01")
        self._invoice(self.consumer, 300.0, "2026-03-01")
        self._run("2026-03-22")
        self.assertEqual(
            self._letters().mapped("amount_flat_fee"), [0.0, 0.0]
        )  # reminder: no flat fee
        self._run("2026-04-05")
        business = self._letters(self.customer)[-1]
        self.assertRecordValues(business, [{"amount_flat_fee": 80.0, "amount_total": 380.0}])
        self.assertEqual(
            sorted(business.line_ids.filtered("amount_flat_fee").move_id.ids),
            sorted((first | second).ids),
        )
        self.assertEqual(
            business.fee_move_id.invoice_line_ids.product_id,
            self.env.ref("account_dunning_collect.product_dunning_flat_fee"),
        )
        self.assertEqual(self._letters(self.consumer)[-1].amount_flat_fee, 0.0)
        self._run("2026-04-19")
        third = self._letters(self.customer)[-1]
        self.assertEqual((third.amount_flat_fee, third.amount_fee), (0.0, 2.5))

    def test_waive_reverses_the_charge_invoice(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        letter = self._letters()[-1]
        fee = letter.fee_move_id
        clerk = self._dunning_user("charges_clerk", "account_dunning_collect.group_dunning_user")
        with self.assertRaises(AccessError):
            letter.with_user(clerk).action_waive_charges()
        wizard = (
            self.env["dunning.letter.waive"]
            .with_user(self.manager)
            .create(
                {
                    "letter_ids": [Command.set(letter.ids)],
                    "reason": "Goodwill, long-standing customer",
                }
            )
        )
        wizard.action_waive()
        self.assertTrue(letter.charges_waived)
        self.assertEqual(letter.waive_reason, "Goodwill, long-standing customer")
        self.assertEqual(fee.payment_state, "reversed")
        self.assertIn("Goodwill", letter.message_ids[0].body)

    def test_waive_before_sending_drops_the_charges(self):
        self.policy.approval_required = True
        self._statutory()
        self._invoice(self.customer, 1000.0, "2025-05-01")
        self._run("2025-09-01")
        letter = self._letters()
        self.assertEqual((letter.state, letter.amount_total), ("to_approve", 1031.93))
        letter.with_user(self.manager)._waive_charges("Disputed amount")
        self.assertRecordValues(letter, [{"amount_interest": 0.0, "amount_total": 1000.0}])
        letter.with_user(self.manager).action_approve()
        self.assertFalse(letter.fee_move_id)

    def test_fee_configuration_errors(self):
        taxed = self.env["product.product"].create(
            {"name": "Taxed fee", "type": "service", "taxes_id": [Command.set(self.tax_sale_a.ids)]}
        )
        # each check on its own level: a refused write may stay in the test's cache
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.dunning2.fee_amount = -1
        with self.assertRaisesRegex(ValidationError, "no fee product"):
            self.dunning1.fee_amount = 5
        with self.assertRaisesRegex(ValidationError, "has taxes"):
            self.reminder.fee_product_id = taxed

    def test_fee_without_price_in_the_letter_currency(self):
        usd = self.setup_other_currency("USD", rates=[("2026-01-01", 1.25)])
        self._invoice(self.customer, 100.0, "2026-03-01", currency=usd)
        self._run("2026-03-22")
        self._run("2026-04-05")
        with mute_logger("odoo.addons.account_dunning_collect.models.dunning_run"):
            run = self._run("2026-04-19")
        self.assertEqual(run.error_count, 1)
        self.assertIn("has no fee in USD", run.log)
        self.assertEqual(len(self._letters()), 2)  # no half-written letter
        self.env["dunning.level.fee"].create(
            {"level_id": self.dunning2.id, "currency_id": usd.id, "amount": 3.0}
        )
        self._run("2026-04-20")
        self.assertEqual(self._letters()[-1].amount_fee, 3.0)
        self.assertEqual(self._letters()[-1].fee_move_id.currency_id, usd)
