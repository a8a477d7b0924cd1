from odoo import api, fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "dunning.stop.mixin"]

    dunning_level_id = fields.Many2one(
        "dunning.level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Highest dunning level reached by the items of this invoice.",
    )
    dunning_date = fields.Date(
        string="Last Dunning", copy=False, readonly=True, help="Date of the last dunning letter."
    )
    is_dunning_charge = fields.Boolean(
        "Dunning Charges",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Invoice of dunning fees and default interest: listed in later letters, never "
        "itself charged fees or interest.",
    )
    dunning_letter_line_ids = fields.One2many("dunning.letter.line", "move_id", readonly=True)
    dunning_last_letter_id = fields.Many2one(
        "dunning.letter", string="Last Dunning Letter", compute="_compute_dunning_last_letter"
    )

    @api.depends("dunning_letter_line_ids.letter_id.state")
    def _compute_dunning_last_letter(self):
        for move in self:
            letters = move.dunning_letter_line_ids.letter_id.filtered(
                lambda letter: letter.state != "cancelled"
            )
            move.dunning_last_letter_id = letters.sorted(lambda letter: (letter.date, letter.id))[
                -1:
            ]

    def action_view_dunning_letters(self):
        """Open the dunning letters that list this invoice."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_collect.action_dunning_letter"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        return action
