from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round
from odoo.tools.translate import LazyTranslate

from ..engine.allocation import settlement_key
from ..models.collection_case import AT_AGENCY_STATES
from ..tools.reader_text import Amount, post_note

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)


class CollectionRemittance(models.TransientModel):
    """Book what a collection agency paid out for a case."""

    _name = "collection.remittance"
    _description = "Register Agency Remittance"

    case_id = fields.Many2one("collection.case", required=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id")
    currency_id = fields.Many2one(related="case_id.currency_id")
    amount_open = fields.Monetary(related="case_id.amount_open", string="Open on the Case")
    amount = fields.Monetary(
        "Collected",
        required=True,
        help="What the agency collected from the debtor for this case, before its commission.",
    )
    commission_percent = fields.Float(digits=(5, 2))
    commission = fields.Monetary(
        compute="_compute_commission",
        store=True,
        readonly=False,
        help="Retained by the agency; booked to the agency's commission expense account.",
    )
    amount_net = fields.Monetary("Paid Out", compute="_compute_net")
    date = fields.Date(required=True, default=fields.Date.context_today)
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', 'parent_of', company_id)]",
    )
    reference = fields.Char(help="The agency's statement or transfer reference.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        case = self.env["collection.case"].browse(values.get("case_id"))
        if case:
            values.setdefault("amount", case.amount_open)
            values.setdefault("commission_percent", case.agency_id.commission_percent)
            journal = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(case.company_id),
                    ("type", "=", "bank"),
                ],
                limit=1,
            )
            values.setdefault("journal_id", journal.id)
        return values

    @api.depends("amount", "commission_percent")
    def _compute_commission(self):
        for wizard in self:
            wizard.commission = float_round(
                wizard.amount * wizard.commission_percent / 100,
                precision_rounding=wizard.currency_id.rounding or 0.01,
            )

    @api.depends("amount", "commission")
    def _compute_net(self):
        for wizard in self:
            wizard.amount_net = wizard.amount - wizard.commission

    def _check_values(self):
        case = self.case_id
        rounding = case.currency_id.rounding
        if float_compare(self.amount, 0, precision_rounding=rounding) <= 0:
            raise UserError(self.env._("Enter the amount the agency collected (above 0)."))
        if float_compare(self.amount, case.amount_open, precision_rounding=rounding) > 0:
            raise UserError(
                self.env._(
                    "The remittance of %(amount)s is larger than what is open on collection "
                    "case %(case)s (%(open)s). Book the difference as a separate payment or "
                    "correct the amount.",
                    amount=case.currency_id.format(self.amount),
                    case=case.name,
                    open=case.currency_id.format(case.amount_open),
                )
            )
        if (
            self.commission < 0
            or float_compare(self.commission, self.amount, precision_rounding=rounding) > 0
        ):
            raise UserError(
                self.env._("The commission must lie between 0 and the collected amount.")
            )
        if self.commission and not case.agency_id.expense_account_id:
            raise UserError(
                self.env._(
                    "Collection agency '%s' has no commission expense account: set it on the "
                    "agency to book the commission.",
                    case.agency_id.name,
                )
            )

    def action_confirm(self):
        """Post the payment (net + commission) and reconcile it in the order of BGB §367."""
        self.ensure_one()
        case = self.case_id
        case._check_state(AT_AGENCY_STATES, self.env._("paid by the agency"))
        case._check_workflow_access()
        self._check_values()
        # the debtor's direct payments before this remittance are recorded first
        case._sync_payments()
        label = self.env._(
            "Remittance %(agency)s, case %(case)s%(ref)s",
            agency=case.agency_id.name,
            case=case.name,
            ref=f" ({self.reference})" if self.reference else "",
        )
        write_off = []
        if self.commission:
            write_off.append(
                {
                    "name": self.env._("Collection commission %s", case.name),
                    "account_id": case.agency_id.expense_account_id.id,
                    "partner_id": case.agency_id.partner_id.id,
                    "currency_id": case.currency_id.id,
                    "amount_currency": self.commission,
                    "balance": case.currency_id._convert(
                        self.commission, case.company_id.currency_id, case.company_id, self.date
                    ),
                }
            )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": case.partner_id.id,
                "amount": self.amount_net,
                "currency_id": case.currency_id.id,
                "date": self.date,
                "journal_id": self.journal_id.id,
                "memo": label,
                "company_id": case.company_id.id,
                "write_off_line_vals": write_off,
            }
        )
        payment.action_post()
        counterpart = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        # BGB §367: costs (the charge invoices: fees and interest) first, then the
        # invoices, oldest due first -- the order the run allocates credits in
        debits = case._receivable_lines().sorted(
            lambda line: settlement_key(
                line.move_id.is_dunning_charge, line.date_maturity or line.date, line.id
            )
        )
        self.env["account.move.line"]._reconcile_plan([[counterpart | debit for debit in debits]])
        self.env["collection.case.payment"]._create_workflow(
            {
                "case_id": case.id,
                "date": self.date,
                "kind": "agency",
                "amount": self.amount,
                "commission": self.commission,
                "payment_id": payment.id,
                "reference": self.reference or payment.name,
            }
        )
        case.invalidate_recordset(["amount_open"])
        case._update_paid_state()
        post_note(
            case,
            _lt(
                "Agency remittance: %(amount)s collected, %(commission)s commission, "
                "%(net)s paid out (%(payment)s).",
                amount=Amount(self.amount, case.currency_id),
                commission=Amount(self.commission, case.currency_id),
                net=Amount(self.amount_net, case.currency_id),
                payment=payment.name,
            ),
        )
        return {"type": "ir.actions.act_window_close"}
