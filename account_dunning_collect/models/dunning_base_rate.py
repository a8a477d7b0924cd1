from datetime import date
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.interest import half_year_end


class DunningBaseRate(models.Model):
    """The Bundesbank base rate (Basiszinssatz, BGB §247), valid from a date."""

    _name = "dunning.base.rate"
    _description = "Base Interest Rate"
    _order = "date_from desc"
    _rec_name = "date_from"

    date_from = fields.Date(
        "Valid From",
        required=True,
        help="The base rate changes only on 1 January and 1 July; it holds until the next "
        "rate, the last one until the end of its half-year.",
    )
    rate = fields.Float(
        "Rate (%)", required=True, digits=(5, 2), help="Percent per year; may be negative."
    )
    note = fields.Char(
        help="Where the rate comes from (e.g. the Bundesbank's announcement), or what is still "
        "to be checked."
    )
    unusual_date = fields.Boolean(compute="_compute_unusual_date")

    _date_from_unique = models.UniqueIndex(
        "(date_from)", "There is already a base rate valid from this date."
    )

    @api.depends("date_from")
    def _compute_unusual_date(self):
        for rate in self:
            rate.unusual_date = bool(rate.date_from) and (
                rate.date_from.day,
                rate.date_from.month,
            ) not in (
                (1, 1),
                (1, 7),
            )

    @api.onchange("date_from")
    def _onchange_date_from_warning(self):
        if self.unusual_date:
            return {
                "warning": {
                    "title": self.env._("Unusual date"),
                    "message": self.env._(
                        "The base rate changes on 1 January and 1 July. %s is allowed, but check "
                        "the date against the Bundesbank's publication.",
                        self.date_from,
                    ),
                }
            }
        return None

    @api.depends("date_from", "rate")
    def _compute_display_name(self):
        for rate in self:
            rate.display_name = f"{rate.date_from}: {rate.rate:.2f} %"

    @api.constrains("date_from")
    def _check_no_overlap(self):
        # Two rates in one half-year would make the period ambiguous.
        for rate in self:
            start = date(rate.date_from.year, 1 if rate.date_from.month <= 6 else 7, 1)
            others = self.search(
                [
                    ("id", "!=", rate.id),
                    ("date_from", ">=", start),
                    ("date_from", "<=", half_year_end(rate.date_from)),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "The base rate valid from %(date)s overlaps the one valid from %(other)s: "
                        "the base rate changes at most twice a year (1 January, 1 July). "
                        "Correct or delete one of them.",
                        date=rate.date_from,
                        other=others[0].date_from,
                    )
                )

    @api.model
    def _schedule_pairs(self):
        """``(date_from, Decimal rate)`` pairs for the interest engine."""
        return [(rate.date_from, Decimal(str(rate.rate))) for rate in self.search([])]

    @api.model
    def _missing_current_rate(self, day=None):
        """The half-year start without a rate on ``day`` (default today), else False."""
        day = day or fields.Date.context_today(self)
        rate = self.search([("date_from", "<=", day)], limit=1)
        if rate and (
            half_year_end(rate.date_from) >= day
            or self.search_count([("date_from", ">", rate.date_from)], limit=1)
        ):
            return False
        return date(day.year, 1 if day.month <= 6 else 7, 1)
