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
    dunning_register_court = fields.Char(
        related="company_id.dunning_register_court", readonly=False
    )
    dunning_managing_directors = fields.Char(
        related="company_id.dunning_managing_directors", readonly=False
    )
    dunning_company_registry = fields.Char(related="company_id.company_registry", readonly=False)
