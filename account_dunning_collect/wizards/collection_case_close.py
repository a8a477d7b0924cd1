from odoo import api, fields, models
from odoo.exceptions import UserError


class CollectionCaseClose(models.TransientModel):
    """Recall cases from the agency or write off what it could not collect."""

    _name = "collection.case.close"
    _description = "Close Collection Case"

    mode = fields.Selection(
        [("recall", "Recall"), ("write_off", "Write off")], required=True, default="recall"
    )
    case_ids = fields.Many2many("collection.case", string="Cases")
    reason = fields.Text(required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        cases = self.env["collection.case"].browse(self.env.context.get("active_ids", []))
        values["case_ids"] = [fields.Command.set(cases.ids)]
        if cases:
            values.setdefault("account_id", cases[0].agency_id.write_off_account_id.id)
        return values

    def action_confirm(self):
        self.ensure_one()
        if not self.case_ids:
            raise UserError(self.env._("Select the collection cases to close."))
        if self.mode == "recall":
            self.case_ids._recall(self.reason)
        else:
            if not self.account_id:
                raise UserError(
                    self.env._("Choose the account the uncollectable amount is written off to.")
                )
            self.case_ids._write_off(self.reason, self.account_id, self.date)
        return {"type": "ir.actions.act_window_close"}
