"""Payments on a case: agency remittances (with commission) and direct payments of the debtor."""

import json
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestCollectionPayments(CollectionCommon):
    def test_full_remittance_with_commission(self):
        invoice, case = self._handed_over_case()
        charge = case.move_ids - invoice
        wizard = self._remit(case, 1002.5, reference="Abrechnung 06/2026")
        self.assertEqual((wizard.commission, wizard.amount_net), (200.5, 802.0))
        payment = case.payment_ids.payment_id
        self.assertRecordValues(
            case.payment_ids,
            [{"kind": "agency", "amount": 1002.5, "commission": 200.5, "date": date(2026, 6, 10)}],
        )
        self.assertEqual(payment.amount, 802.0)
        self.assertEqual(payment.partner_id, self.customer)
        lines = payment.move_id.line_ids.sorted("balance")
        receivable = self._receivable_lines(invoice).account_id
        self.assertRecordValues(
            lines,
            [
                {"account_id": receivable.id, "balance": -1002.5},
                {"account_id": self.commission_account.id, "balance": 200.5},
                {"account_id": payment.outstanding_account_id.id, "balance": 802.0},
            ],
        )
        self.assertEqual(lines[1].partner_id, self.agency_partner)
        self.assertEqual((invoice.amount_residual, charge.amount_residual), (0.0, 0.0))
        self.assertRecordValues(
            case,
            [
                {
                    "state": "paid",
                    "amount_collected": 1002.5,
                    "amount_commission": 200.5,
                    "amount_open": 0.0,
                }
            ],
        )

    def test_partial_remittance_pays_charges_first(self):
        invoice, case = self._handed_over_case()
        charge = case.move_ids - invoice
        self._remit(case, 500.0)
        self.assertEqual(charge.amount_residual, 0.0)  # BGB §367: costs first
        self.assertEqual(invoice.amount_residual, 502.5)
        self.assertRecordValues(
            case,
            [{"state": "partially_paid", "amount_collected": 500.0, "amount_open": 502.5}],
        )
        self.assertEqual(case.payment_ids.commission, 100.0)

    def test_remittance_larger_than_open_refused(self):
        __, case = self._handed_over_case()
        payments_before = self.env["account.payment"].search_count([])
        with self.assertRaisesRegex(
            UserError, r"remittance of 2,000.00\s€ is larger than what is open on collection case"
        ):
            self._remit(case, 2000.0)
        self.assertEqual(self.env["account.payment"].search_count([]), payments_before)
        self.assertEqual(case.state, "handed_over")

    def test_commission_needs_expense_account(self):
        __, case = self._handed_over_case()
        self.agency.expense_account_id = False
        with self.assertRaisesRegex(UserError, "has no commission expense account"):
            self._remit(case, 500.0)

    def test_direct_payment_during_the_case(self):
        invoice, case = self._handed_over_case()
        self._pay(invoice, 300.0, "2026-05-15")
        self._sync("2026-05-16 06:00:00")
        self.assertRecordValues(
            case.payment_ids, [{"kind": "direct", "amount": 300.0, "date": date(2026, 5, 16)}]
        )
        self.assertEqual(case.state, "partially_paid")
        update = case.message_log_ids.filtered(lambda m: m.message_type == "update")
        data = json.loads(update.attachment_id.raw)
        self.assertEqual(
            data["payments"],
            [{"date": "2026-05-16", "amount": "300.00", "reference": case.payment_ids.reference}],
        )
        self.assertTrue(case.payment_ids.reference)
        self.assertEqual(data["totals"]["paid"], "300.00")
        self.assertEqual(data["totals"]["open"], "702.50")
        self.assertIn(
            f"The debtor paid 300.00&nbsp;€ directly ({case.payment_ids.reference})",
            "".join(case.message_ids.mapped("body")),
        )
        # nothing new: no second update
        self._sync("2026-05-17 06:00:00")
        self.assertEqual(len(case.message_log_ids), 2)
        # the rest paid directly: the case is settled
        self._pay(invoice, 700.0, "2026-05-20")
        self._pay(case.move_ids - invoice, 2.5, "2026-05-20")  # the dunning fee
        self._sync("2026-05-21 06:00:00")
        self.assertEqual(case.state, "paid")
        self.assertEqual(case.amount_collected, 1002.5)
