"""Building a collection case: its invoices, the charges that go with them, their history."""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import float_is_zero

from ..engine import claim_charges, claim_format
from ..engine.interest import ACT_365
from .collection_case import open_amount

# what a case line takes from the letters and brings up to date at the handover
LETTER_FIELDS = ("history_data", "default_date", "default_reason", "first_reminder_date")


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class CollectionCase(models.Model):
    _inherit = "collection.case"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _propose(self, agency, partner, currency, invoices, run=None):
        """Create (or extend) the proposed case of ``partner`` with ``invoices``.

        ``invoices`` are customer invoices with an open receivable; the open
        invoices of dunning charges of the debtor in that currency come along.
        A proposed case of the same debtor, agency and currency is extended
        instead of creating a second one. Returns the case.
        """
        case = self.search(
            [
                ("agency_id", "=", agency.id),
                ("partner_id", "=", partner.id),
                ("currency_id", "=", currency.id),
                ("state", "=", "draft"),
            ],
            limit=1,
        )
        if not case:
            case = self.create(
                {
                    "agency_id": agency.id,
                    "company_id": agency.company_id.id,
                    "partner_id": partner.id,
                    "currency_id": currency.id,
                    "run_id": run.id if run else False,
                }
            )
        case._add_invoices(invoices)
        return case

    def _add_invoices(self, invoices):
        """Add ``invoices`` (and the debtor's open charge invoices) with their claim data."""
        self.ensure_one()
        invoices = invoices - self.line_ids.move_id
        if not invoices:
            return
        charges = self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("commercial_partner_id", "=", self.partner_id.id),
                ("currency_id", "=", self.currency_id.id),
                ("is_dunning_charge", "=", True),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("id", "not in", self.move_ids.ids),
            ]
        )
        charges = charges.filtered(lambda move: not move._open_collection_case())
        self._write_workflow(
            {
                "move_ids": [fields.Command.link(move.id) for move in invoices | charges],
                "line_ids": [
                    fields.Command.create(vals) for vals in self._line_values(invoices, charges)
                ],
            }
        )
        self._check_moves_free()

    def _charge_moves(self):
        return self.move_ids.filtered("is_dunning_charge")

    def _line_values(self, invoices, charge_moves):
        """Values of one case line per invoice: principal, fees, interest, history and
        the first day of default with the first real reminder.

        Which invoice carries each charge of ``charge_moves`` is the engine's
        rule (``engine.claim_charges``); this gathers its inputs and words the
        fees it returns. The first day of default and the first reminder are
        the engine's too (``engine.claim_format.invoice_default``), from the
        sent letters that listed the invoice.
        """
        self.ensure_one()
        history = defaultdict(list)
        reminder_lines = defaultdict(list)
        letter_lines = self.env["dunning.letter.line"].search(
            [
                ("move_id", "in", invoices.ids),
                ("letter_id.state", "=", "sent"),
                ("letter_id.delivery_state", "!=", "withdrawn"),
            ],
            order="id",
        )
        for line in letter_lines:
            letter = line.letter_id
            reminder_lines[line.move_id.id].append(
                claim_format.ReminderLine(
                    date=letter.date,
                    delivered=letter.delivered_date or None,
                    overdue=line.kind == "overdue",
                    default_date=line.default_date or None,
                    default_reason=line.default_reason or None,
                )
            )
        for line in letter_lines.filtered("level_id"):
            letter = line.letter_id
            history[line.move_id.id].append(
                {
                    "date": fields.Date.to_string(letter.date),
                    "delivered": letter.delivered_date
                    and fields.Date.to_string(letter.delivered_date),
                    "level": line.level_id.name,
                    "level_id": line.level_id.id,  # its name in the reader's language
                    "channel": letter.channel,
                    "letter": letter.name,
                }
            )
        letters = self.env["dunning.letter"].search([("fee_move_id", "in", charge_moves.ids)])
        letters_by_charge = letters.grouped("fee_move_id")
        attributed = claim_charges.attribute_charges(
            [
                claim_charges.CaseInvoice(invoice.id, invoice.invoice_date_due or invoice.date)
                for invoice in invoices
            ],
            [
                claim_charges.ChargeInvoice(
                    name=charge.name,
                    date=charge.invoice_date or charge.date,
                    amount_total=Decimal(str(charge.amount_total)),
                    amount_residual=Decimal(str(charge.amount_residual)),
                    letters=tuple(
                        self._charge_letter(letter)
                        for letter in letters_by_charge.get(charge, letters.browse())
                    ),
                )
                for charge in charge_moves
            ],
        )
        invoice_by_id = {invoice.id: invoice for invoice in invoices}
        values = []
        for charges in attributed:
            invoice = invoice_by_id[charges.invoice_id]
            default = claim_format.invoice_default(reminder_lines[invoice.id])
            values.append(
                {
                    "move_id": invoice.id,
                    "principal": open_amount(invoice),
                    "description": invoice._collection_description(),
                    "fees_data": [
                        {
                            "date": fields.Date.to_string(fee.date),
                            "description": self._fee_description(fee),
                            "amount": float(fee.amount),
                            "kind": fee.kind,
                        }
                        for fee in charges.fees
                    ],
                    "interest_data": [
                        {
                            "principal": float(item.principal),
                            "rate": item.rate,
                            "date_from": fields.Date.to_string(item.date_from),
                            "date_to": fields.Date.to_string(item.date_to),
                            "days": item.days,
                            "amount": float(item.amount),
                            "invoice": item.invoice,
                            "day_count": item.day_count,
                        }
                        for item in charges.interest
                    ],
                    "history_data": history.get(invoice.id, []),
                    "default_date": default.default_date or False,
                    "default_reason": default.default_reason or False,
                    "first_reminder_date": default.first_reminder_date or False,
                }
            )
        return values

    @api.model
    def _charge_letter(self, letter):
        """The engine's ``ChargeLetter`` of a letter whose charges were posted."""
        return claim_charges.ChargeLetter(
            name=letter.name,
            date=letter.date,
            level=letter.level_id.name,
            fee=Decimal(str(letter.amount_fee)),
            # a letter written before the day count was recorded divided by 365
            day_count=letter.interest_day_count or ACT_365,
            lines=tuple(
                claim_charges.LetterLineCharges(
                    move_id=line.move_id.id or None,
                    move_name=line.move_id.name,
                    escalated=bool(line.level_id),
                    flat_fee=Decimal(str(line.amount_flat_fee)),
                    interest=Decimal(str(line.amount_interest)),
                    interest_principal=Decimal(str(line.amount_residual)),
                    interest_rate=line.interest_rate or "",
                    interest_date_from=line.interest_date_from or None,
                    interest_date_to=line.interest_date_to or None,
                    interest_days=line.interest_days,
                )
                for line in letter.line_ids
            ),
        )

    @api.model
    def _fee_description(self, fee):
        """What a fee attributed by the engine (a ``ClaimFee``) is, in the user's language."""
        if fee.kind == claim_charges.FEE_OPEN_REST:
            return self.env._("Open rest of dunning charges %s", fee.charge)
        if fee.kind == claim_charges.FEE_DUNNING:
            return self.env._(
                "Dunning fee (%(level)s, %(letter)s)", level=fee.level, letter=fee.letter
            )
        return self.env._(
            "Flat fee BGB §288(5) for %(invoice)s (%(letter)s)",
            invoice=fee.invoice,
            letter=fee.letter,
        )

    def _refresh_principal(self):
        """Bring the principal up to date; drop invoices paid since the proposal."""
        for case in self:
            paid = self.env["collection.case.line"]
            for line in case.line_ids:
                still_open = open_amount(line.move_id)
                if float_is_zero(still_open, precision_rounding=case.currency_id.rounding):
                    paid |= line
                elif line.principal != still_open:
                    line._write_workflow({"principal": still_open})
            if paid:
                case._write_workflow(
                    {"move_ids": [fields.Command.unlink(move.id) for move in paid.move_id]}
                )
                paid.unlink()
            # letters delivered since the proposal: the history, the first day of default
            # and the first reminder say so now
            lines = case.line_ids - paid
            if lines:
                current = {
                    values["move_id"]: values
                    for values in case._line_values(lines.move_id, case._charge_moves())
                }
                for line in lines:
                    values = current[line.move_id.id]
                    changes = {
                        name: values[name] for name in LETTER_FIELDS if line[name] != values[name]
                    }
                    if changes:
                        line._write_workflow(changes)
