import re

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount, format_date, formatLang

from ..tools import Many2oneWithoutForeignKey

LINE_KINDS = [
    ("overdue", "Overdue"),
    ("not_due", "Not yet due"),
    ("credit", "Credit"),
]


# what the run writes (dunning_run_write.interest_detail_text / interest_rates_text): kept
# as it was written, read back here to print it in the format of the letter's language
INTEREST_PERIOD = re.compile(
    r"^(?P<date_from>\d{4}-\d{2}-\d{2}) - (?P<date_to>\d{4}-\d{2}-\d{2}): (?P<days>\d+) days at "
    r"(?P<rate>-?\d+(?:\.\d+)?) % on (?P<principal>-?\d+(?:\.\d+)?)(?: / (?P<year_days>\d+) days)?$"
)
INTEREST_RATE = re.compile(r"^(-?\d+(?:\.\d+)?) %$")


def format_rates(env, text):
    """Rates as the run writes them ("10.27 %", "11.27 % / 10.27 %") in the format of
    ``env``'s language; text that is not such a rate is returned as it is."""
    parts = []
    for part in (text or "").split(" / "):
        match = INTEREST_RATE.match(part.strip())
        parts.append(f"{formatLang(env, float(match[1]), digits=2)} %" if match else part)
    return " / ".join(parts)


DEFAULT_REASONS = [
    ("calendar", "§ 286(2) no. 1 BGB"),
    ("reminder", "§ 286(1) BGB"),
    ("thirty_days", "§ 286(3) BGB"),
]


class DunningLetterLine(models.Model):
    _name = "dunning.letter.line"
    _description = "Dunning Letter Line"
    _order = "letter_id, kind, date_maturity, id"
    # Immutable snapshots written by the run in bulk: the letter carries who
    # and when, so the lines need no create/write columns.
    _log_access = False

    letter_id = fields.Many2one("dunning.letter", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="letter_id.company_id")
    currency_id = fields.Many2one(related="letter_id.currency_id")
    partner_id = fields.Many2one(related="letter_id.partner_id")
    # No foreign key: checking it for the ~77,000 lines of a 100k-invoice run
    # locked every journal item, 1.1 s of the run (6.7 s). Deleting a journal
    # item deletes its letter lines in the ORM (account.move.line.unlink).
    move_line_id = Many2oneWithoutForeignKey(
        "account.move.line", string="Journal Item", required=True, index=True, ondelete="cascade"
    )
    # The document of the journal item, stored without a foreign key (a second
    # foreign key per line made the run's bulk INSERT lock every invoice): a
    # sent letter keeps naming its invoice when the journal item is replaced
    # (a draft invoice given new installments).
    move_id = Many2oneWithoutForeignKey("account.move", string="Document", index=True)
    invoice_date = fields.Date(related="move_id.invoice_date")
    kind = fields.Selection(LINE_KINDS, required=True, default="overdue")
    date_maturity = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    amount_original = fields.Monetary(string="Original Amount")
    amount_residual = fields.Monetary(string="Open Amount")
    is_charge = fields.Boolean(help="An invoice of dunning charges.")
    interest_date_from = fields.Date(help="First day of interest charged by this letter.")
    interest_date_to = fields.Date(help="Last day of interest charged by this letter.")
    interest_days = fields.Integer()
    interest_rate = fields.Char(help="Annual rate(s) in percent.")
    interest_detail = fields.Text(help="Each period: days, open amount and rate.")
    amount_interest = fields.Monetary(string="Interest")
    amount_flat_fee = fields.Monetary(string="Flat Fee", help="BGB §288(5), once per invoice.")
    default_date = fields.Date(
        string="In Default Since",
        help="The item's first day of default (BGB §286), as this letter states it: kept for "
        "the item by later letters even if the policy changes.",
    )
    default_reason = fields.Selection(
        DEFAULT_REASONS,
        help="Why default began that day: the due date agreed by the calendar (§286(2) no. 1), "
        "the first reminder (§286(1)) or 30 days after the due date (§286(3)).",
    )
    level_id = fields.Many2one(
        "dunning.level",
        string="New Level",
        help="The level this letter gave the item; empty for items listed for information.",
    )

    def _format_interest_rate(self):
        """The line's rate(s), e.g. "10,27 %" or "10,27 % / 9,77 %" in German: in the
        format of the environment's language (the letter's reader). Text that is not a
        rate the run wrote is returned as it is."""
        self.ensure_one()
        return format_rates(self.env, self.interest_rate)

    def _format_interest_periods(self):
        """The interest periods of the line as sentences in the environment's language,
        dates, rates and amounts in its format ("05.11.2026 - 11.11.2026: 7 Tage zu
        10,27 % auf 2.515,07 €"); a line the run wrote differently is returned as it is."""
        self.ensure_one()
        texts = []
        for row in (self.interest_detail or "").splitlines():
            match = INTEREST_PERIOD.match(row.strip())
            if not match:
                texts.append(row)
                continue
            text = self.env._(
                "%(date_from)s – %(date_to)s: %(days)s days at %(rate)s %% on %(principal)s",  # noqa: RUF001 - the dash of the letter
                date_from=format_date(self.env, match["date_from"]),
                date_to=format_date(self.env, match["date_to"]),
                days=match["days"],
                rate=formatLang(self.env, float(match["rate"]), digits=2),
                principal=format_amount(self.env, float(match["principal"]), self.currency_id),
            )
            if match["year_days"]:
                text = self.env._(
                    "%(period)s (a year of %(year_days)s days)",
                    period=text,
                    year_days=match["year_days"],
                )
            texts.append(text)
        return texts

    # Lines are snapshots of what a letter says: written by the run (and the
    # letter's actions), never by hand.
    @api.model_create_multi
    def create(self, vals_list):
        self._check_workflow_access()
        return super().create(vals_list)

    def write(self, vals):
        self._check_workflow_access()
        return super().write(vals)

    def unlink(self):
        self._check_workflow_access()
        return super().unlink()

    def _check_workflow_access(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The lines of dunning letters are written by the dunning run; a letter "
                    "is changed only through its actions (%s).",
                    ", ".join(self.letter_id.mapped("display_name")[:5]) or "-",
                )
            )
