from odoo import fields, models
from odoo.tools import SQL

# The level an item reached is the level given to it by its latest letter
# line of a letter that was sent and delivered (e-mail sent, printed for
# posting, call made); its last dunning date is the later of that letter's
# date and its delivery. Deriving both from the lines (rather than storing
# them on account_move_line, a wide table with some twenty indexes) keeps the
# daily run's writes to its own narrow tables and makes cancelling a letter
# give the items their previous level back by itself. A letter waiting for
# approval or delivery gives no level: its customer is held until then.
ITEM_STATE_QUERY = """
    SELECT DISTINCT ON (line.move_line_id)
           line.move_line_id, line.level_id,
           GREATEST(letter.date, letter.delivered_date) AS dunning_date
      FROM dunning_letter_line line
      JOIN dunning_letter letter ON letter.id = line.letter_id
     WHERE line.move_line_id = ANY(%s)
       AND line.level_id IS NOT NULL
       AND letter.state = 'sent'
       AND letter.delivered_date IS NOT NULL
  ORDER BY line.move_line_id, letter.date DESC, line.id DESC
"""


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        compute="_compute_dunning_state",
        help="Last dunning level this item reached.",
    )
    dunning_date = fields.Date(string="Dunned Last On", compute="_compute_dunning_state")

    def _compute_dunning_state(self):
        # No @depends: the letters and lines are written in bulk by the run,
        # which invalidates these fields itself (as does cancelling a letter).
        self.env["dunning.letter"].flush_model(["state", "date", "delivered_date"])
        self.env["dunning.letter.line"].flush_model(["move_line_id", "level_id", "letter_id"])
        ids = [line_id for line_id in self.ids if isinstance(line_id, int)]
        state = (
            {row[0]: row[1:] for row in self.env.execute_query(SQL(ITEM_STATE_QUERY, ids))}
            if ids
            else {}
        )
        for line in self:
            level_id, dunning_date = state.get(line.id, (False, False))
            line.dunning_level_id = level_id
            line.dunning_date = dunning_date

    def unlink(self):
        # The letter lines of deleted journal items go with them (their column
        # has no foreign key to do it, see dunning.letter.line), except those
        # of sent letters: a sent letter is a document and keeps its lines,
        # which still name their invoice (move_id).
        line_ids = [line_id for line_id in self.ids if isinstance(line_id, int)]
        result = super().unlink()
        if line_ids:
            self.env["dunning.letter.line"].sudo().search(
                [("move_line_id", "in", line_ids), ("letter_id.state", "!=", "sent")]
            ).unlink()
        return result
