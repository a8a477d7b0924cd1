"""What the debtor paid since the handover: direct payments, the paid state, the hourly check."""

from odoo import api, fields, models
from odoo.tools import float_compare, float_is_zero
from odoo.tools.translate import LazyTranslate

from ..tools import CronBudget
from ..tools.reader_text import Amount, post_note
from .collection_case import AT_AGENCY_STATES, open_amount

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class CollectionCase(models.Model):
    _inherit = "collection.case"  # pylint: disable=consider-merging-classes-inherited

    def _paid_since_handover(self):
        """What was paid (or credited) on the documents since the handover."""
        self.ensure_one()
        current = open_amount(self.move_ids)
        return sum(self.line_ids.mapped("open_at_handover")) - current - self.amount_written_off

    def _sync_payments(self):
        """Record payments the debtor made directly and tell the agency; settle paid cases.

        Whatever the documents' open amount went down by since the handover and
        is not an agency remittance is a direct payment (or a credit note): it
        is recorded on the case and an update message goes to the agency.
        """
        today = fields.Date.context_today(self)
        for case in self.filtered(lambda case: case.state in AT_AGENCY_STATES):
            rounding = case.currency_id.rounding
            direct = case._paid_since_handover() - case.amount_collected
            if float_compare(direct, 0, precision_rounding=rounding) > 0:
                payment = self.env["collection.case.payment"]._create_workflow(
                    {
                        "case_id": case.id,
                        "date": today,
                        "kind": "direct",
                        "amount": direct,
                        "reference": case._recent_payment_references(),
                    }
                )
                case._queue_message("update", case._export("update"))
                post_note(
                    case,
                    _lt(
                        "The debtor paid %(amount)s directly (%(reference)s); the agency is "
                        "informed.",
                        amount=Amount(direct, case.currency_id),
                        reference=payment.reference or "-",
                    ),
                )
            case._update_paid_state()

    def _update_paid_state(self):
        for case in self:
            if case.state not in AT_AGENCY_STATES:
                continue
            if float_is_zero(case.amount_open, precision_rounding=case.currency_id.rounding):
                case._write_workflow(
                    {"state": "paid", "close_date": fields.Date.context_today(self)}
                )
            elif case.payment_ids:
                case._write_workflow({"state": "partially_paid"})

    def _recent_payment_references(self):
        """Names of the documents reconciled with the case's invoices since the handover."""
        self.ensure_one()
        lines = self.move_ids.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        partials = (lines.matched_credit_ids | lines.matched_debit_ids).filtered(
            lambda partial: partial.create_date.date() >= self.handover_date
        )
        known = self.payment_ids.payment_id.move_id
        counterparts = (
            (partials.credit_move_id.move_id | partials.debit_move_id.move_id)
            - self.move_ids
            - known
        )
        return ", ".join(counterparts.mapped("name"))

    @api.model
    def _cron_sync(self):
        """Hourly: match direct payments of open cases, then deliver pending messages.

        The payments are matched once per wake-up of the cron (ir.cron calls
        the job again while messages are left); the messages go out while the
        wake-up's time lasts.
        """
        budget = CronBudget(self.env)
        if budget.first_call:
            cases = self.sudo().search([("state", "in", AT_AGENCY_STATES)])
            for company, company_cases in cases.grouped("company_id").items():
                company_cases.with_company(company)._sync_payments()
            self.env["ir.cron"]._commit_progress(len(cases))
        self.env["collection.case.message"]._deliver_pending(budget)
