from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "dunning.stop.mixin"]

    # Not indexed on purpose: the daily run rewrites this column on every invoice
    # that escalates, and an index on it forbids PostgreSQL's in-place (HOT)
    # updates, so each row would be rewritten in all of account_move's indexes.
    dunning_level_id = fields.Many2one(
        "dunning.level",
        copy=False,
        readonly=True,
        help="Highest dunning level reached by the items of this invoice.",
    )
    dunning_date = fields.Date(
        string="Dunned Last On",
        copy=False,
        readonly=True,
        help="Date of the last letter that dunned this invoice at a level (not one that only "
        "listed it for information).",
    )
    is_dunning_charge = fields.Boolean(
        "Dunning Charges",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Invoice of dunning fees and default interest: listed in later letters, never "
        "itself charged fees or interest.",
    )
    dunning_last_letter_id = fields.Many2one(
        "dunning.letter",
        string="Last Dunning Letter",
        compute="_compute_dunning_last_letter",
        help="The latest letter that lists this invoice, also as an item for information.",
    )

    collection_case_ids = fields.Many2many(
        "collection.case",
        "collection_case_move_rel",
        "move_id",
        "case_id",
        string="Collection Cases",
        readonly=True,
        copy=False,
    )
    collection_case_id = fields.Many2one(
        "collection.case",
        compute="_compute_collection_case",
        help="The open collection case this document is in: it is not dunned meanwhile.",
    )

    @api.depends("collection_case_ids.state")
    def _compute_collection_case(self):
        for move in self:
            move.collection_case_id = move._open_collection_case()

    def _open_collection_case(self):
        self.ensure_one()
        open_states = self.env["collection.case"]._open_states()
        return self.collection_case_ids.filtered(lambda case: case.state in open_states)[:1]

    def _collection_description(self):
        """What the invoice was for, as an agency states it: reference and first lines."""
        self.ensure_one()
        labels = [
            line.name.splitlines()[0]
            for line in self.invoice_line_ids
            if line.display_type == "product" and line.name
        ]
        parts = [", ".join(labels[:3]) + (" ..." if len(labels) > 3 else "")]
        if self.ref:
            parts.append(self.env._("your reference %s", self.ref))
        return "; ".join(part for part in parts if part) or self.name

    def action_view_collection_case(self):
        self.ensure_one()
        case = self.collection_case_id or self.collection_case_ids[:1]
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.case",
            "view_mode": "form",
            "res_id": case.id,
        }

    def action_collection_propose(self):
        """Propose collection cases for the selected overdue invoices (per debtor)."""
        invoices = self.filtered(
            lambda move: (
                move.move_type in ("out_invoice", "out_receipt")
                and move.state == "posted"
                and move.amount_residual > 0
                and not move.is_dunning_charge
            )
        )
        if not invoices:
            raise UserError(
                self.env._("Select posted customer invoices with an open amount to hand over.")
            )
        cases = self.env["collection.case"]
        for (company, partner, currency), moves in invoices.grouped(
            lambda move: (move.company_id, move.commercial_partner_id, move.currency_id)
        ).items():
            policy = partner.with_company(company).dunning_policy_id or company.dunning_policy_id
            agency = policy.collection_agency_id or self.env["collection.agency"].search(
                [("company_id", "=", company.id), ("state", "=", "active")], limit=1
            )
            if not agency:
                raise UserError(
                    self.env._(
                        "Company %s has no active collection agency: set one up under "
                        "Configuration > Collection Agencies and confirm the partnership.",
                        company.name,
                    )
                )
            cases |= (
                self.env["collection.case"]
                .with_company(company)
                ._propose(agency, partner, currency, moves)
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Proposed Collection Cases"),
            "res_model": "collection.case",
            "view_mode": "list,form",
            "domain": [("id", "in", cases.ids)],
        }

    def _compute_dunning_last_letter(self):
        # read from the letter lines, which the run writes in SQL; the run and a
        # cancelled letter invalidate it with the invoice's level
        lines = self.env["dunning.letter.line"].search(
            [("move_line_id.move_id", "in", self.ids), ("letter_id.state", "!=", "cancelled")]
        )
        last = {}
        for line in lines:
            move = line.move_line_id.move_id
            letter = line.letter_id
            if move not in last or (letter.date, letter.id) > (last[move].date, last[move].id):
                last[move] = letter
        for move in self:
            move.dunning_last_letter_id = last.get(move, False)

    def action_view_dunning_letters(self):
        """Open the dunning letters that list this invoice."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_collect.action_dunning_letter"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        return action
