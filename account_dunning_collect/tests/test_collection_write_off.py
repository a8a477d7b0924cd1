"""Writing off what the agency could not collect, with the VAT corrected (UStG §17)."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestCollectionWriteOff(CollectionCommon):
    def test_write_off_the_rest(self):
        invoice, case = self._handed_over_case()
        charge = case.move_ids - invoice
        self._remit(case, 500.0)
        wizard = (
            self.env["collection.case.close"]
            .with_context(active_ids=case.ids)
            .create({"mode": "write_off", "reason": "Debtor insolvent", "date": "2026-07-01"})
        )
        self.assertEqual(wizard.account_id, self.commission_account)
        wizard.action_confirm()
        move = case.write_off_move_id
        receivable = self._receivable_lines(invoice).account_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.date, date(2026, 7, 1))
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {"account_id": receivable.id, "balance": -502.5},
                {"account_id": self.commission_account.id, "balance": 502.5},
            ],
        )
        self.assertEqual((invoice.amount_residual, charge.amount_residual), (0.0, 0.0))
        self.assertRecordValues(
            case,
            [
                {
                    "state": "written_off",
                    "amount_written_off": 502.5,
                    "write_off_reason": "Debtor insolvent",
                    "close_date": date(2026, 7, 1),
                }
            ],
        )
        with self.assertRaisesRegex(UserError, "is Written Off: it cannot be recalled"):
            case._recall("too late")

    def test_write_off_corrects_the_vat(self):
        """UStG §17: the open gross amount is written off net, with the invoice's VAT."""
        tax = self.company_data["default_tax_sale"]
        self.assertEqual((tax.amount, tax.amount_type, tax.price_include), (19.0, "percent", False))
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-03-01",
                "invoice_payment_term_id": self.term_14.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Schulung",
                            "price_unit": 1000.0,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 1190.0)
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases()
        with freeze_time("2026-05-03"):
            case.action_handover()
        self._remit(case, 500.0)  # 2.50 fee first, 497.50 on the invoice
        self.assertEqual(invoice.amount_residual, 692.5)
        wizard = (
            self.env["collection.case.close"]
            .with_context(active_ids=case.ids)
            .create({"mode": "write_off", "reason": "Insolvent", "date": "2026-07-01"})
        )
        wizard.action_confirm()
        move = case.write_off_move_id
        receivable = self._receivable_lines(invoice).account_id
        tax_line = move.line_ids.filtered("tax_line_id")
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {"account_id": receivable.id, "balance": -692.5, "tax_line_id": False},
                {"account_id": tax_line.account_id.id, "balance": 110.57, "tax_line_id": tax.id},
                {"account_id": self.commission_account.id, "balance": 581.93, "tax_line_id": False},
            ],
        )
        self.assertEqual(move.line_ids.filtered("tax_ids").tax_ids, tax)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(case.amount_written_off, 692.5)
