from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..engine import claim_charges
from .collection_case import CASE_STATES, field_labels, open_amount
from .dunning_letter_line import DEFAULT_REASONS, format_rates

# The amounts and dates of a case's invoice, taken from the invoice and its letters, never
# typed in.
LINE_AMOUNT_FIELDS = frozenset(
    {
        "principal",
        "fees_data",
        "interest_data",
        "history_data",
        "default_date",
        "default_reason",
        "first_reminder_date",
        "open_at_handover",
        "amount_fees",
        "amount_interest",
        "amount_total",
    }
)


class CollectionCaseLine(models.Model):
    """One invoice of a collection case, with the claim data handed over."""

    _name = "collection.case.line"
    _description = "Collection Case Invoice"
    _order = "case_id, due_date, id"

    case_id = fields.Many2one("collection.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    move_id = fields.Many2one("account.move", string="Invoice", required=True, index=True)
    invoice_date = fields.Date(related="move_id.invoice_date")
    due_date = fields.Date(related="move_id.invoice_date_due", store=True)
    description = fields.Char()
    principal = fields.Monetary(help="Open amount of the invoice when the case was built.")
    fees_data = fields.Json(readonly=True)
    interest_data = fields.Json(readonly=True)
    history_data = fields.Json(readonly=True)
    default_date = fields.Date(
        "In Default Since",
        readonly=True,
        help="The invoice's first day of default (BGB §286) as its dunning letters stated it.",
    )
    default_reason = fields.Selection(
        DEFAULT_REASONS, "Default Basis", readonly=True, help="Why default began that day."
    )
    first_reminder_date = fields.Date(
        "First Reminder",
        readonly=True,
        help="Date of the first delivered letter that put the debtor in default or was dated "
        "on or after the first day of default; a payment reminder sent before default that "
        "did not cause it does not count.",
    )
    amount_fees = fields.Monetary("Fees", compute="_compute_claim", store=True)
    amount_interest = fields.Monetary("Interest", compute="_compute_claim", store=True)
    amount_total = fields.Monetary("Claim", compute="_compute_claim", store=True)
    fees_detail = fields.Text("Fee Details", compute="_compute_details")
    interest_detail = fields.Text("Interest Calculation", compute="_compute_details")
    history = fields.Text("Dunning History", compute="_compute_details")
    open_at_handover = fields.Monetary(
        readonly=True,
        help="Open amount of the invoice and its share of charges at the handover; the base "
        "for recognising payments made since.",
    )

    @api.depends("principal", "fees_data", "interest_data", "history_data")
    def _compute_claim(self):
        for line in self:
            fees = line.fees_data or []
            interest = line.interest_data or []
            line.amount_fees = sum(fee["amount"] for fee in fees)
            line.amount_interest = sum(item["amount"] for item in interest)
            line.amount_total = line.principal + line.amount_fees + line.amount_interest

    @api.depends("fees_data", "interest_data", "history_data")
    @api.depends_context("lang")
    def _compute_details(self):
        """The claim as the reader reads it: dates, amounts and rates in the format of the
        reader's language, channels with their labels; descriptions and level names as
        the claim carries them (they went to the agency so)."""
        env = self.env
        channels = dict(self.env["dunning.letter"]._fields["channel"]._description_selection(env))

        def day(value):
            return format_date(env, value) if value else ""

        level_ids = {
            event["level_id"]
            for line in self
            for event in line.history_data or []
            if event.get("level_id")
        }
        # sudo: the names of the levels the case's letters had, for whoever reads the case
        levels = {
            level.id: level.name
            for level in self.env["dunning.level"].sudo().browse(level_ids).exists()
        }
        for line in self:
            fees = line.fees_data or []
            interest = line.interest_data or []
            currency = line.currency_id

            def money(value, currency=currency):
                return format_amount(env, value, currency) if currency else str(value)

            line.fees_detail = "\n".join(
                f"{day(fee['date'])}  {fee['description']}: {money(fee['amount'])}"
                + (
                    env._(" (credited against collection costs, BGB §288(5) sentence 3)")
                    if fee.get("kind") == claim_charges.FEE_FLAT
                    else ""
                )
                for fee in fees
            )
            line.interest_detail = "\n".join(
                env._(
                    "%(invoice)s %(start)s - %(end)s, %(days)s days, %(rate)s on %(principal)s: "
                    "%(amount)s",
                    invoice=item.get("invoice", ""),
                    start=day(item["date_from"]),
                    end=day(item["date_to"]),
                    days=item["days"],
                    rate=format_rates(env, item["rate"]),
                    principal=money(item["principal"]),
                    amount=money(item["amount"]),
                )
                for item in interest
            )
            line.history = "\n".join(
                f"{day(event['date'])}  {levels.get(event.get('level_id'), event['level'])} "
                f"({channels.get(event['channel'], event['channel'])}, {event['letter']}"
                + (
                    env._(", delivered %s)", day(event["delivered"]))
                    if event.get("delivered")
                    else env._(", not delivered)")
                )
                for event in line.history_data or []
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                case = self.env["collection.case"].browse(vals.get("case_id"))
                self._check_manual_change(case, LINE_AMOUNT_FIELDS.intersection(vals))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            cases = self.case_id | self.env["collection.case"].browse(vals.get("case_id"))
            self._check_manual_change(
                cases, (LINE_AMOUNT_FIELDS | {"case_id", "move_id"}).intersection(vals)
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_from_proposals(self):
        if not self.env.su:
            self._check_manual_change(self.case_id, ())

    def _check_manual_change(self, cases, amount_fields):
        """Refuse a hand-made change of a handed-over case's invoices or of ``amount_fields``."""
        for case in cases.filtered(lambda case: case.state != "draft")[:1]:
            raise UserError(
                self.env._(
                    "Collection case %(case)s is %(state)s: its invoices cannot be added, changed "
                    "or removed by hand, only those of a proposal. To hand over other invoices, "
                    "propose them in a new case (Hand Over to Collection on the invoices).",
                    case=case.name,
                    state=dict(CASE_STATES)[case.state],
                )
            )
        if amount_fields:
            raise UserError(
                self.env._(
                    "Collection case %(case)s: %(fields)s of its invoices are taken from the "
                    "invoices and their dunning letters and cannot be entered by hand. Hand Over "
                    "brings them up to date.",
                    case=", ".join(cases.mapped("name")),
                    fields=field_labels(self, amount_fields),
                )
            )

    def _write_workflow(self, vals):
        """Write the amounts of the lines from an action of their case."""
        self.case_id._check_workflow_access()
        # safe: the user was just checked (a Dunning User allowed to write these cases); the
        # superuser only passes the refusal of these fields in write()
        return self.sudo().write(vals)

    def _snapshot_open(self):
        """Remember what is open at the handover (invoice plus its charges)."""
        for case in self.case_id:
            lines = self.filtered(lambda line, c=case: line.case_id == c)
            charge_open = open_amount(case._charge_moves())
            for index, line in enumerate(lines.sorted("id")):
                line._write_workflow(
                    {
                        "open_at_handover": open_amount(line.move_id)
                        + (charge_open if index == 0 else 0)
                    }
                )
