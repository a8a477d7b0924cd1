from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

STOP_FIELDS = ("dunning_stop_reason_id", "dunning_stop_until")
MANAGER_GROUP = "account_dunning_collect.group_dunning_manager"


class DunningStopMixin(models.AbstractModel):
    """A dunning stop (Mahnsperre) with a reason and an optional end date."""

    _name = "dunning.stop.mixin"
    _description = "Dunning Stop"

    dunning_stop_reason_id = fields.Many2one(
        "dunning.stop.reason",
        string="Dunning Stop",
        copy=False,
        tracking=True,
        help="While set, the daily run does not dun this record.",
    )
    dunning_stop_until = fields.Date(
        string="Stop Until",
        copy=False,
        tracking=True,
        help="Dunning resumes by itself after this date. Empty: until the stop is lifted.",
    )
    dunning_stopped = fields.Boolean(
        compute="_compute_dunning_stopped", search="_search_dunning_stopped"
    )

    @api.depends("dunning_stop_reason_id", "dunning_stop_until")
    @api.depends_context("date")
    def _compute_dunning_stopped(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.dunning_stopped = bool(record.dunning_stop_reason_id) and (
                not record.dunning_stop_until or record.dunning_stop_until >= today
            )

    def _search_dunning_stopped(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        stopped = Domain("dunning_stop_reason_id", "!=", False) & (
            Domain("dunning_stop_until", "=", False) | Domain("dunning_stop_until", ">=", today)
        )
        return stopped if (operator == "in") == (True in value) else ~stopped

    def _check_dunning_stop_access(self, vals, names=None):
        if self.env.su or not any(vals.get(field) is not None for field in STOP_FIELDS):
            return
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Dunning Manager can set or lift a dunning stop (%(records)s).",
                    records=", ".join(names or self.mapped("display_name")[:5]),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # a record created with a stop already set is a stop set by hand too
        for vals in vals_list:
            if any(vals.get(field) for field in STOP_FIELDS):
                self._check_dunning_stop_access(
                    vals, [vals.get("name") or vals.get("ref") or self._description]
                )
        return super().create(vals_list)

    def write(self, vals):
        self._check_dunning_stop_access(vals)
        if "dunning_stop_reason_id" in vals and not vals["dunning_stop_reason_id"]:
            vals = dict(vals, dunning_stop_until=False)  # lifting a stop clears its end date
        return super().write(vals)

    def action_dunning_lift_stop(self):
        """Lift the dunning stop: the next run duns the record again."""
        self.write({"dunning_stop_reason_id": False, "dunning_stop_until": False})
