from odoo import fields, models


class DunningStopReason(models.Model):
    _name = "dunning.stop.reason"
    _description = "Dunning Stop Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable key used by integrations and reports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _code_unique = models.UniqueIndex("(code)", "A stop reason with this code already exists.")
