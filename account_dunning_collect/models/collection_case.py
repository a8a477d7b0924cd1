"""The collection case: its record, states, workflow actions and who may act on it.

The case is one model spread over several files by concern, as Odoo's account
spreads ``account.move.line``: ``collection_case_claim`` builds its invoices
and charges, ``collection_case_export`` the file and messages for the agency,
``collection_case_payment_check`` follows payments, ``collection_case_write_off``
writes off what the agency could not collect.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare
from odoo.tools.translate import LazyTranslate

from ..tools.reader_text import Label, freeze, post_note, render

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)

CASE_STATES = [
    ("draft", "Proposed"),
    ("handed_over", "Handed Over"),
    ("acknowledged", "Acknowledged"),
    ("partially_paid", "Partially Paid"),
    ("paid", "Paid"),
    ("recalled", "Recalled"),
    ("written_off", "Written Off"),
]
# A move in a case in one of these states is not dunned and cannot join another case.
OPEN_STATES = ("draft", "handed_over", "acknowledged", "partially_paid")
# States in which the agency works on the case.
AT_AGENCY_STATES = ("handed_over", "acknowledged", "partially_paid")
# What only the case's actions change (Hand Over, Acknowledged by Agency, Register Agency
# Remittance, Recall, Write Off, the hourly payment check). They write it with _write_workflow
# once the user is checked; a write by hand is refused.
CASE_WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "handover_date",
        "acknowledge_date",
        "close_date",
        "recall_reason",
        "write_off_reason",
        "write_off_move_id",
        "amount_written_off",
        "export_attachment_id",
        "payment_ids",
        "amount_principal",
        "amount_fees",
        "amount_interest",
        "amount_total",
        "amount_collected",
        "amount_commission",
    }
)
# What the claim is made of: it changes while the case is a proposal only.
CASE_CLAIM_FIELDS = frozenset({"agency_id", "partner_id", "currency_id", "move_ids", "line_ids"})


def open_receivables(moves):
    """The receivable lines of ``moves`` that are not reconciled yet."""
    return moves.line_ids.filtered(
        lambda line: line.account_type == "asset_receivable" and not line.reconciled
    )


def open_amount(moves):
    """What is open on the receivable lines of ``moves``, in their currency."""
    return sum(open_receivables(moves).mapped("amount_residual_currency"))


def field_labels(model, names):
    """The labels of the fields ``names`` of ``model``, for a message."""
    return ", ".join(model._fields[name]._description_string(model.env) for name in sorted(names))


class CollectionCase(models.Model):
    """The claims of one debtor handed over (or proposed) to a collection agency."""

    _name = "collection.case"
    _description = "Collection Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    agency_id = fields.Many2one(
        "collection.agency", required=True, check_company=True, tracking=True, index=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    state = fields.Selection(
        CASE_STATES, required=True, default="draft", tracking=True, copy=False, index=True
    )
    run_id = fields.Many2one(
        "dunning.run",
        string="Dunning Run",
        readonly=True,
        help="The run that proposed the case.",
    )
    line_ids = fields.One2many("collection.case.line", "case_id", string="Invoices", readonly=True)
    move_ids = fields.Many2many(
        "account.move",
        "collection_case_move_rel",
        "case_id",
        "move_id",
        string="Documents",
        readonly=True,
        help="The invoices handed over and the open invoices of dunning charges that go with them.",
    )
    payment_ids = fields.One2many(
        "collection.case.payment", "case_id", string="Payments", readonly=True
    )
    message_log_ids = fields.One2many(
        "collection.case.message", "case_id", string="Messages to the Agency", readonly=True
    )
    handover_date = fields.Date(readonly=True, copy=False, tracking=True)
    acknowledge_date = fields.Date(readonly=True, copy=False)
    close_date = fields.Date(readonly=True, copy=False)
    amount_principal = fields.Monetary("Principal", compute="_compute_amounts", store=True)
    amount_fees = fields.Monetary("Fees", compute="_compute_amounts", store=True)
    amount_interest = fields.Monetary("Interest", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary("Claim", compute="_compute_amounts", store=True)
    amount_collected = fields.Monetary(
        "Collected",
        compute="_compute_collected",
        store=True,
        help="Paid through the agency and directly to you since the handover.",
    )
    amount_commission = fields.Monetary("Commission", compute="_compute_collected", store=True)
    amount_written_off = fields.Monetary(readonly=True, copy=False)
    amount_open = fields.Monetary(
        "Open", compute="_compute_amount_open", help="What is still open on the documents."
    )
    export_attachment_id = fields.Many2one("ir.attachment", string="Export", readonly=True)
    export_file = fields.Binary(related="export_attachment_id.datas", string="Export File")
    export_filename = fields.Char(related="export_attachment_id.name", string="Export File Name")
    delivery_state = fields.Selection(
        [("pending", "Pending"), ("done", "Delivered"), ("failed", "Failed")],
        compute="_compute_delivery_state",
        help="State of the last message to the agency.",
    )
    problem = fields.Char(
        compute="_compute_problem",
        help="Why the proposed case cannot be handed over now (agency, address, nothing open).",
    )
    recall_reason = fields.Text(readonly=True, copy=False)
    write_off_reason = fields.Text(readonly=True, copy=False)
    write_off_move_id = fields.Many2one("account.move", readonly=True, copy=False)
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True)

    @api.model
    def _open_states(self):
        return OPEN_STATES

    # ------------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------------

    @api.depends("line_ids.principal", "line_ids.amount_fees", "line_ids.amount_interest")
    def _compute_amounts(self):
        for case in self:
            case.amount_principal = sum(case.line_ids.mapped("principal"))
            case.amount_fees = sum(case.line_ids.mapped("amount_fees"))
            case.amount_interest = sum(case.line_ids.mapped("amount_interest"))
            case.amount_total = case.amount_principal + case.amount_fees + case.amount_interest

    @api.depends("payment_ids.amount", "payment_ids.commission")
    def _compute_collected(self):
        for case in self:
            case.amount_collected = sum(case.payment_ids.mapped("amount"))
            case.amount_commission = sum(case.payment_ids.mapped("commission"))

    @api.depends("move_ids.amount_residual")
    def _compute_amount_open(self):
        for case in self:
            case.amount_open = open_amount(case.move_ids)

    @api.depends(
        "state",
        "agency_id.state",
        "partner_id.street",
        "partner_id.zip",
        "partner_id.city",
        "partner_id.country_id",
        "line_ids",
    )
    def _compute_problem(self):
        for case in self:
            problem = case.state == "draft" and case._handover_problem()
            case.problem = render(self.env, freeze(problem)) if problem else False

    @api.depends("message_log_ids.state")
    def _compute_delivery_state(self):
        for case in self:
            case.delivery_state = case.message_log_ids.sorted("id")[-1:].state or False

    @api.depends("name", "partner_id.name")
    def _compute_display_name(self):
        for case in self:
            case.display_name = f"{case.name} {case.partner_id.name or ''}".strip()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_manual_create(vals_list)
        cases = super().create(vals_list)
        for case in cases:
            if case.name == "/":
                case.name = (
                    self.env["ir.sequence"]
                    .with_company(case.company_id)
                    .next_by_code("collection.case")
                    or "/"
                )
        cases._check_moves_free()
        return cases

    def write(self, vals):
        if not self.env.su:
            self._check_manual_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_proposals(self):
        for case in self:
            if case.state != "draft":
                raise UserError(
                    self.env._(
                        "Collection case %s was handed over and cannot be deleted; recall it "
                        "instead.",
                        case.name,
                    )
                )

    @api.model
    def _check_manual_create(self, vals_list):
        """A case made by hand is a proposal: its state and amounts come from the actions."""
        for vals in vals_list:
            workflow = {
                name
                for name in CASE_WORKFLOW_FIELDS.intersection(vals)
                if vals[name] and not (name == "state" and vals[name] == "draft")
            }
            if workflow:
                raise UserError(
                    self.env._(
                        "A new collection case is a proposal: %(fields)s cannot be set by hand. "
                        "The case's actions set them: Hand Over, Acknowledged by Agency, Register "
                        "Agency Remittance, Recall or Write Off.",
                        fields=field_labels(self, workflow),
                    )
                )

    def _check_manual_write(self, vals):
        """Refuse by hand what only the actions change, and the claim of a handed-over case."""
        workflow = CASE_WORKFLOW_FIELDS.intersection(vals)
        if workflow:
            raise UserError(
                self.env._(
                    "Collection case %(case)s: %(fields)s cannot be changed by hand. Use the "
                    "case's actions: Hand Over, Acknowledged by Agency, Register Agency "
                    "Remittance, Recall or Write Off.",
                    case=", ".join(self.mapped("name")),
                    fields=field_labels(self, workflow),
                )
            )
        claim = CASE_CLAIM_FIELDS.intersection(vals)
        handed_over = self.filtered(lambda case: case.state != "draft") if claim else self.browse()
        for case in handed_over[:1]:
            raise UserError(
                self.env._(
                    "Collection case %(case)s is %(state)s: %(fields)s can only change while the "
                    "case is proposed. To hand over other invoices, propose them in a new case "
                    "(Hand Over to Collection on the invoices).",
                    case=case.name,
                    state=dict(CASE_STATES)[case.state],
                    fields=field_labels(self, claim),
                )
            )

    def _check_workflow_access(self):
        """Let a Dunning User act on the cases of his companies, nobody else."""
        if self.env.su:
            return
        if not self.env.user.has_group("account_dunning_collect.group_dunning_user"):
            raise AccessError(
                self.env._(
                    "Only a Dunning User can act on collection case %s.",
                    ", ".join(self.mapped("name")),
                )
            )
        self.check_access("write")

    def _write_workflow(self, vals):
        """Write what only the actions change (state, dates, amounts, the claim's documents)."""
        self._check_workflow_access()
        # safe: the user was just checked (a Dunning User allowed to write these cases); the
        # superuser only passes the refusal of these fields in write()
        return self.sudo().write(vals)

    def _check_moves_free(self):
        """Refuse documents that are already in another open case."""
        self.env.flush_all()
        for case in self:
            if not case.move_ids:
                continue
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT move.name, other.name
                      FROM collection_case_move_rel rel
                      JOIN collection_case other ON other.id = rel.case_id
                      JOIN account_move move ON move.id = rel.move_id
                     WHERE rel.move_id = ANY(%s) AND other.id != %s AND other.state IN %s
                     ORDER BY 1
                    """,
                    case.move_ids.ids,
                    case.id,
                    OPEN_STATES,
                )
            )
            if rows:
                raise ValidationError(
                    self.env._(
                        "%(moves)s already belong to the open collection case %(case)s. Recall "
                        "or close that case before handing the invoices over again.",
                        moves=", ".join(sorted({move for move, __ in rows})),
                        case=rows[0][1],
                    )
                )

    # ------------------------------------------------------------------
    # TRANSITIONS
    # ------------------------------------------------------------------

    def _check_state(self, allowed, action):
        labels = dict(CASE_STATES)
        for case in self:
            if case.state not in allowed:
                raise UserError(
                    self.env._(
                        "Collection case %(case)s is %(state)s: it cannot be %(action)s.",
                        case=case.name,
                        state=labels[case.state],
                        action=action,
                    )
                )

    def _handover_problem(self):
        """Why this case cannot be handed over now (a text of ``_lt``, see
        ``tools.reader_text``), or False."""
        self.ensure_one()
        agency = self.agency_id
        if agency.state != "active":
            return _lt(
                "Collection agency '%(agency)s' is not active (%(state)s): confirm the "
                "partnership first.",
                agency=agency.name,
                state=Label(agency._name, "state", agency.state),
            )
        partner = self.partner_id
        missing = [
            label
            for label, value in (
                (_lt("street"), partner.street),
                (_lt("ZIP"), partner.zip),
                (_lt("city"), partner.city),
                (_lt("country"), partner.country_id),
            )
            if not value
        ]
        if missing:
            return _lt(
                "Debtor %(partner)s has no complete address (missing: %(missing)s): an agency "
                "cannot work without it. Complete the address on the contact.",
                partner=partner.display_name,
                missing=missing,
            )
        undelivered = sorted(
            {
                event["letter"]
                for line in self.line_ids
                for event in line.history_data or []
                if not event.get("delivered")
            }
        )
        if undelivered:
            return _lt(
                "Collection case %(case)s reports letters that never reached the debtor "
                "(%(letters)s): an agency may only claim what was really dunned. Deliver them "
                "(print or send) or remove their invoices from the case.",
                case=self.name,
                letters=", ".join(undelivered),
            )
        if not self.line_ids:
            return _lt("Collection case %s has no invoices.", self.name)
        if not float_compare(self.amount_open, 0, precision_rounding=self.currency_id.rounding) > 0:
            return _lt(
                "The invoices of collection case %s are paid: nothing to hand over.", self.name
            )
        return False

    def action_handover(self):
        """Hand the (proposed) cases over: export, attach and send to the agency."""
        return self._handover(fields.Date.context_today(self))

    def _handover(self, date):
        """Hand the cases over on ``date`` (the run's date when the run does it)."""
        self._check_state(("draft",), self.env._("handed over"))
        self._check_workflow_access()
        self._refresh_principal()
        for case in self:
            problem = case._handover_problem()
            if problem:
                raise UserError(render(self.env, freeze(problem)))
        self._hand_over_checked(date)
        return True

    def _hand_over_checked(self, date):
        """Hand over proposed cases whose principal is current and that have no problem."""
        for case in self:
            case._check_moves_free()
            case._write_workflow(
                {
                    "state": "handed_over",
                    "handover_date": date,
                    "user_id": case.user_id.id or self.env.user.id,
                }
            )
            case.line_ids._snapshot_open()
            attachment = case._export("handover", date)
            case._write_workflow({"export_attachment_id": attachment.id})
            case._queue_message("handover", attachment)
            note = _lt(
                "Handed over to collection agency %(agency)s: case %(case)s.",
                agency=case.agency_id.name,
                case=case.name,
            )
            # a note on the debtor and its documents, whoever may write them
            for record in [*case.move_ids.sudo(), case.partner_id.sudo()]:
                post_note(record, note)

    def _try_auto_handover(self, date):
        """Hand over what can be; the others stay proposed and show their problem."""
        self._refresh_principal()
        self.filtered(lambda case: not case._handover_problem())._hand_over_checked(date)

    def action_acknowledge(self):
        """The agency confirmed it took the case on."""
        self._check_state(("handed_over",), self.env._("acknowledged"))
        self._write_workflow(
            {"state": "acknowledged", "acknowledge_date": fields.Date.context_today(self)}
        )
        return True

    def action_recall(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recall from Collection"),
            "res_model": "collection.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"active_ids": self.ids, "default_mode": "recall"},
        }

    def _recall(self, reason):
        """Take the cases back: the agency is told, the invoices return to dunning."""
        self._check_state(AT_AGENCY_STATES, self.env._("recalled"))
        self._check_workflow_access()
        today = fields.Date.context_today(self)
        for case in self:
            case._write_workflow(
                {"state": "recalled", "recall_reason": reason, "close_date": today}
            )
            case._queue_message("recall", case._export("recall"))
            post_note(case, _lt("Recalled from the agency: %s", reason))
        return True

    def action_cancel_proposal(self):
        """Drop proposed cases; their invoices stay with the dunning."""
        self._check_state(("draft",), self.env._("cancelled"))
        moves = self.move_ids
        self.unlink()
        moves.invalidate_recordset(["collection_case_ids", "collection_case_id"])
        return {"type": "ir.actions.act_window_close"}

    def action_register_remittance(self):
        self.ensure_one()
        self._check_state(AT_AGENCY_STATES, self.env._("paid by the agency"))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Register Agency Remittance"),
            "res_model": "collection.remittance",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def action_write_off(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off"),
            "res_model": "collection.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"active_ids": self.ids, "default_mode": "write_off"},
        }

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Documents of %s", self.name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }

    # ------------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------------

    def _receivable_lines(self):
        return open_receivables(self.move_ids)
