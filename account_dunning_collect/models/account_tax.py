from odoo import api, models


class AccountTax(models.Model):
    _inherit = "account.tax"

    @api.constrains("amount", "amount_type", "type_tax_use", "company_id", "active")
    def _check_dunning_charge_tax(self):
        """A company's tax on dunning charges stays a 0 % sales tax of that company."""
        companies = (
            self.env["res.company"]
            .sudo()  # any company using the tax, whichever the editing user may see
            .search([("dunning_charge_tax_id", "in", self.ids)])
        )
        companies._check_dunning_charge_tax()
