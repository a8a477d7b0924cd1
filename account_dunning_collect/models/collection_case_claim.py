"""Building a collection case: its invoices, the charges that go with them, their history."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_compare, float_is_zero

from .collection_case import open_amount


class CollectionCase(models.Model):
    _inherit = "collection.case"

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
        """Values of one case line per invoice: principal, fees, interest and history."""
        self.ensure_one()
        invoices = invoices.sorted(lambda move: (move.invoice_date_due or move.date, move.id))
        history = defaultdict(list)
        fees = defaultdict(list)
        interest = defaultdict(list)
        letter_lines = self.env["dunning.letter.line"].search(
            [
                ("move_id", "in", invoices.ids),
                ("letter_id.state", "=", "sent"),
                ("letter_id.delivery_state", "!=", "withdrawn"),
            ],
            order="id",
        )
        for line in letter_lines.filtered("level_id"):
            letter = line.letter_id
            history[line.move_id.id].append(
                {
                    "date": fields.Date.to_string(letter.date),
                    "delivered": letter.delivered_date
                    and fields.Date.to_string(letter.delivered_date),
                    "level": line.level_id.name,
                    "channel": letter.channel,
                    "letter": letter.name,
                }
            )
        first = invoices[:1]
        # Charges: per charge invoice (open, of this debtor), the fee of each of its
        # letters goes to the letter's first escalated invoice of the case, flat fees
        # and interest to their invoice; what belongs to an invoice outside the case
        # goes to the case's first invoice. A partly paid charge invoice is handed
        # over with its open rest as one fee.
        letters = self.env["dunning.letter"].search([("fee_move_id", "in", charge_moves.ids)])
        for charge in charge_moves:
            charge_letters = letters.filtered(lambda letter, c=charge: letter.fee_move_id == c)
            if (
                float_compare(charge.amount_residual, charge.amount_total, precision_rounding=0.01)
                or not charge_letters
            ):
                fees[first.id].append(
                    {
                        "date": fields.Date.to_string(charge.invoice_date or charge.date),
                        "description": self.env._("Open rest of dunning charges %s", charge.name),
                        "amount": charge.amount_residual,
                    }
                )
                continue
            for letter in charge_letters:
                date = fields.Date.to_string(letter.date)
                escalated = letter.line_ids.filtered(
                    lambda line: line.level_id and line.move_id in invoices
                )
                if letter.amount_fee:
                    target = escalated[:1].move_id or first
                    fees[target.id].append(
                        {
                            "date": date,
                            "description": self.env._(
                                "Dunning fee (%(level)s, %(letter)s)",
                                level=letter.level_id.name,
                                letter=letter.name,
                            ),
                            "amount": letter.amount_fee,
                        }
                    )
                for line in letter.line_ids:
                    target = line.move_id if line.move_id in invoices else first
                    if line.amount_flat_fee:
                        fees[target.id].append(
                            {
                                "date": date,
                                "description": self.env._(
                                    "Flat fee BGB §288(5) for %(invoice)s (%(letter)s)",
                                    invoice=line.move_id.name,
                                    letter=letter.name,
                                ),
                                "amount": line.amount_flat_fee,
                            }
                        )
                    if line.amount_interest:
                        interest[target.id].append(
                            {
                                "principal": line.amount_residual,
                                "rate": line.interest_rate or "",
                                "date_from": fields.Date.to_string(line.interest_date_from),
                                "date_to": fields.Date.to_string(line.interest_date_to),
                                "days": line.interest_days,
                                "amount": line.amount_interest,
                                "invoice": line.move_id.name,
                            }
                        )
        values = []
        for entries in fees.values():
            entries.sort(key=lambda fee: fee["date"])
        for entries in interest.values():
            entries.sort(key=lambda item: (item["date_from"], item["invoice"]))
        for invoice in invoices:
            values.append(
                {
                    "move_id": invoice.id,
                    "principal": open_amount(invoice),
                    "description": invoice._collection_description(),
                    "fees_data": fees.get(invoice.id, []),
                    "interest_data": interest.get(invoice.id, []),
                    "history_data": history.get(invoice.id, []),
                }
            )
        return values

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
            # letters delivered since the proposal: the history says so now
            lines = case.line_ids - paid
            if lines:
                history = {
                    values["move_id"]: values["history_data"]
                    for values in case._line_values(lines.move_id, case._charge_moves())
                }
                for line in lines:
                    if line.history_data != history.get(line.move_id.id, []):
                        line._write_workflow({"history_data": history.get(line.move_id.id, [])})
