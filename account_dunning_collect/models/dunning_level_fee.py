from odoo import fields, models


class DunningLevelFee(models.Model):
    """The fee of a dunning level in a currency other than the company's."""

    _name = "dunning.level.fee"
    _description = "Dunning Fee per Currency"

    level_id = fields.Many2one("dunning.level", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="level_id.company_id", store=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")

    _level_currency_unique = models.UniqueIndex(
        "(level_id, currency_id)", "A level has one fee per currency."
    )
