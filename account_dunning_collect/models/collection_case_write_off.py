"""Writing off what the agency could not collect, with the VAT corrected (UStG §17)."""

from collections import defaultdict
from decimal import Decimal

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..engine.writeoff import TaxShare, vat_split
from ..tools.reader_text import Amount, post_note
from .collection_case import AT_AGENCY_STATES

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class CollectionCase(models.Model):
    _inherit = "collection.case"  # pylint: disable=consider-merging-classes-inherited

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
            post_note(
                case,
                _lt(
                    "Written off %(amount)s (%(move)s): %(reason)s",
                    amount=Amount(case.amount_written_off, case.currency_id),
                    move=move.name,
                    reason=reason,
                ),
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
        move = line.move_id
        company = move.company_id
        currency = company.currency_id
        totals = defaultdict(float)
        # other currencies are written off gross: the split is in company currency
        if move.currency_id == currency and move.amount_total:
            for product_line in move.invoice_line_ids.filtered(
                lambda inv_line: inv_line.display_type == "product"
            ):
                totals[product_line.tax_ids] += product_line.price_total
        shares = [
            TaxShare(
                taxes,
                Decimal(str(total)),
                # only a single percent tax on top of the price can be split off
                Decimal(str(taxes.amount))
                if len(taxes) == 1 and taxes.amount_type == "percent" and not taxes.price_include
                else None,
            )
            for taxes, total in totals.items()
        ]
        split = vat_split(
            Decimal(str(line.amount_residual)),
            shares,
            Decimal(str(move.amount_total)),
            Decimal(str(currency.rounding)),
        )
        result = [
            {
                **values,
                "amount_currency": float(net),
                "balance": float(net),
                "tax_ids": [fields.Command.set(taxes.ids)],
            }
            for taxes, net in split.net
        ]
        if not currency.is_zero(float(split.gross)):
            result.append(
                {**values, "amount_currency": float(split.gross), "balance": float(split.gross)}
            )
        return result
