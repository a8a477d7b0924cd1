"""Writing off what the agency could not collect, with the VAT corrected (UStG §17)."""

from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError

from .collection_case import AT_AGENCY_STATES


class CollectionCase(models.Model):
    _inherit = "collection.case"

    def _write_off(self, reason, account, date):
        """Post the uncollectable rest to ``account`` and close the cases."""
        self._check_state(AT_AGENCY_STATES, self.env._("written off"))
        self._check_workflow_access()
        for case in self:
            lines = case._receivable_lines()
            if not lines:
                raise UserError(
                    self.env._("Collection case %s has nothing open to write off.", case.name)
                )
            amount = sum(lines.mapped("amount_residual_currency"))
            label = self.env._("Write-off %(case)s: %(reason)s", case=case.name, reason=reason)
            line_vals = []
            for line in lines:
                line_vals.append(
                    {
                        "name": label,
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "currency_id": line.currency_id.id,
                        "amount_currency": -line.amount_residual_currency,
                        "balance": -line.amount_residual,
                    }
                )
            for line in lines:
                line_vals.extend(case._write_off_expense_lines(line, account, label))
            journal = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(case.company_id),
                    ("type", "=", "general"),
                ],
                limit=1,
            )
            if not journal:
                raise UserError(
                    self.env._(
                        "Company %s has no miscellaneous journal for the write-off entry.",
                        case.company_id.name,
                    )
                )
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": date,
                    "ref": label,
                    "company_id": case.company_id.id,
                    "line_ids": [fields.Command.create(vals) for vals in line_vals],
                }
            )
            move.action_post()
            counterparts = move.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).sorted("id")
            for line, counterpart in zip(lines, counterparts[: len(lines)], strict=True):
                (line | counterpart).reconcile()
            case._write_workflow(
                {
                    "state": "written_off",
                    "write_off_reason": reason,
                    "write_off_move_id": move.id,
                    "amount_written_off": amount,
                    "close_date": date,
                }
            )
            case.message_post(
                body=self.env._(
                    "Written off %(amount)s (%(move)s): %(reason)s",
                    amount=case.currency_id.format(case.amount_written_off),
                    move=move.name,
                    reason=reason,
                )
            )
        return True

    def _write_off_expense_lines(self, line, account, label):
        """Debit lines that write off the open amount of receivable ``line``.

        The VAT of an uncollectable invoice is corrected (UStG §17): the open
        amount is split over the invoice's taxes in proportion to its lines,
        and each part is written off net with the invoice's tax, whose tax
        line Odoo adds (refund repartition: output VAT goes down). Charges
        (no VAT), other currencies, and lines with several or non-percent
        taxes are written off gross.
        """
        values = {
            "name": label,
            "account_id": account.id,
            "partner_id": line.partner_id.id,
            "currency_id": line.currency_id.id,
        }
        gross = line.amount_residual
        move = line.move_id
        company = move.company_id
        shares = defaultdict(float)
        if move.currency_id == company.currency_id and move.amount_total:
            for product_line in move.invoice_line_ids.filtered(
                lambda inv_line: inv_line.display_type == "product"
            ):
                shares[product_line.tax_ids] += product_line.price_total
        taxable = {
            taxes: total
            for taxes, total in shares.items()
            if len(taxes) == 1
            and taxes.amount_type == "percent"
            and not taxes.price_include
            and taxes.amount
        }
        if not taxable:
            return [{**values, "amount_currency": gross, "balance": gross}]
        currency = company.currency_id
        result = []
        rest = gross
        for taxes, total in taxable.items():
            part = currency.round(gross * total / move.amount_total)
            rest -= part
            rate = taxes.amount / 100
            base = currency.round(part / (1 + rate))
            # the base whose tax (rounded like Odoo) adds up to the part exactly
            for candidate in (base, base - currency.rounding, base + currency.rounding):
                if currency.is_zero(candidate + currency.round(candidate * rate) - part):
                    base = candidate
                    break
            else:
                rest += part  # no exact split: this part goes gross with the rest
                continue
            result.append(
                {
                    **values,
                    "amount_currency": base,
                    "balance": base,
                    "tax_ids": [fields.Command.set(taxes.ids)],
                }
            )
        if not currency.is_zero(rest):
            result.append({**values, "amount_currency": rest, "balance": rest})
        return result
