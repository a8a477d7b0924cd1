from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Letter (post)"),
    ("email_letter", "E-mail and letter"),
    ("phone", "Phone call"),
]


class DunningLevel(models.Model):
    _name = "dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, delay_days, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one("dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        "Days after due date",
        required=True,
        help="The level is due once an item is this many days past its maturity date.",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    deadline_days = fields.Integer(
        "Payment deadline (days)",
        default=7,
        help="New payment deadline stated in the letter, in days after the letter date.",
    )
    approval_required = fields.Boolean(
        help="Letters of this level wait for a manager's approval before they are sent."
    )
    letter_text = fields.Html(translate=True, sanitize=True)

    @api.constrains("delay_days", "deadline_days")
    def _check_days(self):
        for level in self:
            if level.delay_days < 0 or level.deadline_days < 0:
                raise ValidationError(
                    self.env._(
                        "Dunning level '%(level)s' of policy '%(policy)s': days after due date "
                        "and payment deadline cannot be negative.",
                        level=level.name,
                        policy=level.policy_id.name,
                    )
                )

    @api.constrains("delay_days", "sequence")
    def _check_policy_order(self):
        self.policy_id._check_levels()

    @api.depends("name", "policy_id.name")
    def _compute_display_name(self):
        for level in self:
            level.display_name = level.name or ""
