from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestPaymentAllocation(DunningCommon):
    """BGB §367: a payment goes to costs, then interest, then the oldest principal."""

    def _setup_dunned_customer(self):
        # interest from the day after the due date (default by the calendar), so that
        # the first letter already has charges to allocate to
        self.policy.write(
            {"interest_mode": "fixed", "interest_rate": 12.0, "default_basis": "due_date"}
        )
        older = self._invoice(self.customer, 500.0, "2026-02-01")  # due 2026-02-15
        newer = self._invoice(self.customer, 1000.0, "2026-03-01")  # due 2026-03-15
        self._run("2026-03-22")
        letter = self._letters()
        # 500 x 12 % x 35 / 365 = 5.75; 1000 x 12 % x 7 / 365 = 2.30
        self.assertEqual(letter.amount_interest, 8.05)
        return older, newer, letter.fee_move_id

    def test_allocation_order(self):
        older, newer, charges = self._setup_dunned_customer()
        partial = self._invoice(self.customer, 50.0, "2026-03-10", move_type="out_refund")
        (partial.line_ids | newer.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()  # a manual allocation the run must leave alone
        manual = newer.line_ids.matched_credit_ids
        self.assertEqual(newer.amount_residual, 950.0)
        self._unapplied_payment(self.customer, 600.0, "2026-03-30")
        run = self._run("2026-04-05")
        self.assertIn("allocated", run.log)
        self.assertEqual(charges.payment_state, "paid")
        self.assertEqual(older.payment_state, "paid")
        # 600 - 8.05 (charges) - 500 (oldest invoice) = 91.95 on the newer one
        self.assertEqual(newer.amount_residual, 858.05)
        self.assertTrue(manual.exists())
        letter = self._letters()[-1]
        self.assertEqual(letter.line_ids.move_id, newer)
        self.assertRecordValues(
            letter, [{"level_id": self.dunning1.id, "amount_overdue": 858.05, "amount_credit": 0.0}]
        )
        # interest 2026-03-23..04-05: 7 days on 950.00, 7 days on 858.05 at 12 %
        self.assertEqual(letter.amount_interest, 4.16)

    def test_allocation_can_be_switched_off(self):
        older, _newer, charges = self._setup_dunned_customer()
        self.policy.allocate_payments = False
        payment = self._unapplied_payment(self.customer, 600.0, "2026-03-30")
        self._run("2026-04-05")
        self.assertEqual(charges.payment_state, "not_paid")
        self.assertEqual(older.payment_state, "not_paid")
        letter = self._letters()[-1]
        self.assertEqual(letter.amount_credit, -600.0)
        self.assertIn(payment.move_id, letter.line_ids.move_id)
