from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_policy_id = fields.Many2one(
        related="company_id.dunning_policy_id", readonly=False, check_company=True
    )
    dunning_approval_required = fields.Boolean(
        related="company_id.dunning_approval_required", readonly=False
    )
    dunning_consumer_default_notice = fields.Boolean(
        related="company_id.dunning_consumer_default_notice", readonly=False
    )
    dunning_charge_tax_id = fields.Many2one(
        related="company_id.dunning_charge_tax_id", readonly=False, check_company=True
    )
