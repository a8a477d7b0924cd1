from odoo import api, fields, models
from odoo.exceptions import UserError


class CollectionCasePayment(models.Model):
    """A payment on a case: a remittance of the agency or a direct payment of the debtor."""

    _name = "collection.case.payment"
    _description = "Collection Case Payment"
    _order = "case_id, date, id"

    case_id = fields.Many2one("collection.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    date = fields.Date(required=True)
    kind = fields.Selection(
        [("agency", "Agency remittance"), ("direct", "Paid directly")], required=True
    )
    amount = fields.Monetary(help="Collected from the debtor (before commission).")
    commission = fields.Monetary(help="Retained by the agency.")
    payment_id = fields.Many2one("account.payment", readonly=True)
    reference = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list and not self.env.su:
            cases = self.env["collection.case"].browse(
                {vals["case_id"] for vals in vals_list if vals.get("case_id")}
            )
            self._refuse_manual_change(cases)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._refuse_manual_change(self.case_id)
        return super().write(vals)

    def _refuse_manual_change(self, cases):
        raise UserError(
            self.env._(
                "Collection case %s: its payments are recorded by 'Register Agency Remittance' "
                "(what the agency collected) and by the hourly payment check (what the debtor paid "
                "you directly); they cannot be entered or changed by hand.",
                ", ".join(cases.exists().mapped("name")),
            )
        )

    @api.model
    def _create_workflow(self, vals):
        """Record a payment from the remittance wizard or the payment check of its case."""
        self.env["collection.case"].browse(vals["case_id"])._check_workflow_access()
        # safe: the user was just checked (a Dunning User allowed to write the case); the
        # superuser only passes the refusal of a hand-made payment in create()
        return self.sudo().create(vals).with_env(self.env)
