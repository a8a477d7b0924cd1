from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Last dunning level this item reached.",
    )
    dunning_date = fields.Date(string="Last Dunning", copy=False, readonly=True)
