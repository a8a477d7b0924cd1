from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo, force_create=True):
        """Set up the tax on dunning charges once a company has its chart.

        Loading a first chart deletes the company's taxes (ours too, which
        empties the setting), so the tax is made after it.
        """
        result = super()._load(template_code, company, install_demo, force_create)
        # the chart may have installed a module: a fresh environment sees its registry
        self.env()["res.company"].browse(company.id)._dunning_ensure_charge_tax()
        return result
