from odoo import fields, models


class DunningLetterWaive(models.TransientModel):
    _name = "dunning.letter.waive"
    _description = "Waive Dunning Charges"

    letter_ids = fields.Many2many("dunning.letter", required=True)
    reason = fields.Text(required=True)

    def action_waive(self):
        """Waive the charges of the letters, with the reason in their chatter."""
        self.letter_ids._waive_charges(self.reason)
        return {"type": "ir.actions.act_window_close"}
