from decimal import Decimal
from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import DunningLevel as EngineLevel
from ..engine import DunningPolicy as EnginePolicy


class DunningPolicy(models.Model):
    _name = "dunning.policy"
    _description = "Dunning Policy"
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many("dunning.level", "policy_id", string="Levels", copy=True)
    grace_days = fields.Integer(
        help="Items are left alone until they are more than this many days overdue."
    )
    minimum_amount = fields.Monetary(
        currency_field="currency_id",
        help="No letter is produced while the net overdue amount of a partner (in company "
        "currency) is below this amount.",
    )
    approval_required = fields.Boolean(
        help="All letters of this policy wait for a manager's approval before they are sent."
    )
    jump_to_highest_level = fields.Boolean(
        help="Give an item the highest level it is due for at once instead of one level per run."
    )
    level_count = fields.Integer(compute="_compute_level_count")
    interest_mode = fields.Selection(
        [
            ("none", "No interest"),
            ("statutory", "Statutory (base rate + 5/9 points)"),
            ("fixed", "Fixed rate"),
        ],
        required=True,
        default="none",
        help="Statutory: BGB §288, the base rate plus 9 points for business debtors and 5 "
        "points for consumers, split at every base rate change. Fixed: the rate below.",
    )
    interest_rate = fields.Float(
        "Fixed Interest Rate (%)", digits=(5, 2), help="Percent per year, in fixed mode."
    )
    flat_fee_b2b = fields.Boolean(
        "Flat Fee for Businesses (BGB §288(5))",
        help="Charge business debtors a flat 40 EUR once per invoice, with the first letter "
        "dated on or after the invoice's first day of default.",
    )
    default_basis = fields.Selection(
        [
            ("statutory", "Reminder or 30 days after the due date (§286(1), (3))"),
            ("reminder", "First reminder (§286(1))"),
            ("due_date", "Due date agreed by the calendar (§286(2) no. 1)"),
        ],
        string="Default Begins",
        required=True,
        default="statutory",
        help="When an overdue invoice falls into default (BGB §286): interest accrues and the "
        "flat fee is owed from then on. Statutory: the earlier of the first reminder's "
        "receipt and 30 days after the due date (for consumers only when the invoices point "
        "it out, see Settings). First reminder: the day after it counts as received. Due "
        "date: the day after the due date, when the contract fixed the payment date by the "
        "calendar (payment terms can say so for their invoices).",
    )
    receipt_days = fields.Integer(
        "Days Until Receipt",
        default=3,
        help="A letter counts as received this many days after it was delivered (e-mailed, "
        "printed, called); default by reminder begins the day after.",
    )
    interest_day_count = fields.Selection(
        [
            ("act_365", "Actual/365 (days / 365)"),
            ("act_act", "Actual/Actual (days / 365 or 366 by calendar year)"),
        ],
        required=True,
        default="act_365",
        help="How interest days are divided: by 365 in every year (what most calculators "
        "do), or by 366 in leap years (what German law firms' claim statements print).",
    )
    allocate_payments = fields.Boolean(
        "Allocate Payments (BGB §367)",
        default=True,
        help="Before deciding, the run applies a customer's unapplied payments and open credit "
        "notes to its open dunning charges first, then to the oldest overdue items (costs, "
        "interest, principal). Nothing already reconciled is touched.",
    )
    collection_agency_id = fields.Many2one(
        "collection.agency",
        check_company=True,
        help="Claims past the last dunning level are proposed (or, when the agency says so, "
        "handed over) to this agency by the daily run.",
    )
    charge_journal_id = fields.Many2one(
        "account.journal",
        string="Journal for Dunning Charges",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Journal of the invoices that charge fees and interest; empty: the first sales "
        "journal of the company.",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("level_ids", "active")
    def _check_levels(self):
        for policy in self:
            if policy.active and not policy.level_ids:
                raise ValidationError(
                    self.env._("Dunning policy '%s' needs at least one level.", policy.name)
                )
            levels = policy.level_ids.sorted(lambda level: (level.sequence, level.id))
            delays = levels.mapped("delay_days")
            if any(later <= earlier for earlier, later in pairwise(delays)):
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%(policy)s': the levels must be strictly increasing in "
                        "'Days after due date' in their order (now %(delays)s). Reorder the levels "
                        "or change their days.",
                        policy=policy.name,
                        delays=", ".join(str(d) for d in delays),
                    )
                )

    @api.constrains("level_ids", "collection_agency_id")
    def _check_collection_level(self):
        for policy in self:
            levels = policy.level_ids.sorted("delay_days")
            collection = levels.filtered(lambda level: level.level_type == "collection")
            if len(collection) > 1:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%s' has more than one level of type 'Handover to "
                        "collection': keep one.",
                        policy.name,
                    )
                )
            if collection and levels[-1] != collection:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%(policy)s': the handover to collection "
                        "('%(level)s') must be the last level. Give it more days after the due "
                        "date than every letter level.",
                        policy=policy.name,
                        level=collection.name,
                    )
                )
            if collection and levels == collection and policy.active:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%s' needs at least one dunning letter before the "
                        "handover to collection.",
                        policy.name,
                    )
                )

    @api.constrains("interest_mode", "interest_rate")
    def _check_interest(self):
        for policy in self:
            if policy.interest_mode == "fixed" and policy.interest_rate <= 0:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%s' charges a fixed interest rate: enter a rate above 0.",
                        policy.name,
                    )
                )

    @api.constrains("receipt_days")
    def _check_receipt_days(self):
        for policy in self:
            if policy.receipt_days < 0 or policy.receipt_days > 30:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%s': the days until a letter counts as received must "
                        "be between 0 and 30.",
                        policy.name,
                    )
                )

    @api.constrains("grace_days", "minimum_amount")
    def _check_amounts(self):
        for policy in self:
            if policy.grace_days < 0 or policy.minimum_amount < 0:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%s': grace days and minimum amount cannot be negative.",
                        policy.name,
                    )
                )

    def _to_engine(self):
        """Return the engine's frozen view of this policy."""
        self.ensure_one()
        return EnginePolicy(
            id=self.id,
            levels=tuple(
                EngineLevel(
                    id=level.id,
                    delay_days=level.delay_days,
                    sequence=level.sequence,
                    collection=level.level_type == "collection",
                )
                for level in self.level_ids.sorted("delay_days")
            ),
            grace_days=self.grace_days,
            minimum_amount=Decimal(str(self.minimum_amount)),
            jump_to_highest_level=self.jump_to_highest_level,
        )
