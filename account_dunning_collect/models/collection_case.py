from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero

from ..engine import claim_format

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
# The amounts of a case's invoice, taken from the invoice and its letters, never typed in.
LINE_AMOUNT_FIELDS = frozenset(
    {
        "principal",
        "fees_data",
        "interest_data",
        "history_data",
        "open_at_handover",
        "amount_fees",
        "amount_interest",
        "amount_total",
    }
)


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
    run_id = fields.Many2one("dunning.run", readonly=True, help="The run that proposed the case.")
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
            case.problem = (case.state == "draft" and case._handover_problem()) or False

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
    # BUILDING A CASE
    # ------------------------------------------------------------------

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

    def _receivable_lines(self):
        return open_receivables(self.move_ids)

    # ------------------------------------------------------------------
    # THE CLAIM AND ITS EXPORT
    # ------------------------------------------------------------------

    @api.model
    def _party(self, partner, reference=""):
        partner = partner.sudo()
        commercial = partner.commercial_partner_id
        return claim_format.Party(
            name=commercial.name or "",
            street=partner.street or "",
            street2=partner.street2 or "",
            zip=partner.zip or "",
            city=partner.city or "",
            country_code=partner.country_id.code or "",
            email=partner.email or commercial.email or "",
            phone=partner.phone or commercial.phone or "",
            vat=commercial.vat or "",
            reference=reference,
            is_company=commercial.is_company,
        )

    def _claim(self, message_type, payments=None):
        """The engine's ``Claim`` of this case (``payments``: the ones to report)."""
        self.ensure_one()

        def money(value):
            return Decimal(str(value)).quantize(Decimal("0.01"))

        items = []
        lines = self.line_ids.sorted(lambda line: (line.due_date or line.invoice_date, line.id))
        for line in lines:
            items.append(
                claim_format.ClaimItem(
                    number=line.move_id.name,
                    invoice_date=line.invoice_date,
                    due_date=line.due_date,
                    description=line.description or line.move_id.name,
                    principal=money(line.principal),
                    fees=tuple(
                        claim_format.Fee(
                            date=fields.Date.to_date(fee["date"]),
                            description=fee["description"],
                            amount=money(fee["amount"]),
                        )
                        for fee in line.fees_data or []
                    ),
                    interest=tuple(
                        claim_format.Interest(
                            principal=money(item["principal"]),
                            rate=item["rate"],
                            date_from=fields.Date.to_date(item["date_from"]),
                            date_to=fields.Date.to_date(item["date_to"]),
                            days=item["days"],
                            amount=money(item["amount"]),
                        )
                        for item in line.interest_data or []
                    ),
                    history=tuple(
                        claim_format.DunningEvent(
                            date=fields.Date.to_date(event["date"]),
                            level=event["level"],
                            channel=event["channel"],
                            letter=event["letter"],
                            delivered=fields.Date.to_date(event.get("delivered")),
                        )
                        for event in line.history_data or []
                    ),
                )
            )
        payments = self.payment_ids if payments is None else payments
        return claim_format.Claim(
            reference=self.name,
            message_type=message_type,
            handover_date=self.handover_date or fields.Date.context_today(self),
            currency=self.currency_id.name,
            creditor=self._party(self.company_id.partner_id),
            debtor=self._party(
                self.partner_id, reference=self.partner_id.ref or str(self.partner_id.id)
            ),
            items=tuple(items),
            payments=tuple(
                claim_format.Payment(
                    date=payment.date,
                    amount=money(payment.amount),
                    reference=payment.reference or "",
                )
                for payment in payments.sorted("date")
            ),
        )

    def _export(self, message_type, date=None):
        """Build, validate and attach the export of ``date`` (today); return the attachment."""
        self.ensure_one()
        fmt = self.agency_id.export_format
        content, extension, mimetype = claim_format.export(self._claim(message_type), fmt)
        try:
            claim_format.validate(content, fmt)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The %(format)s export of collection case %(case)s does not match the "
                    "shipped schema: %(error)s",
                    format=fmt.upper(),
                    case=self.name,
                    error=error,
                )
            ) from error
        day = fields.Date.to_string(date or fields.Date.context_today(self))
        return self.env["ir.attachment"].create(
            {
                "name": f"{self.name.replace('/', '-')}-{message_type}-{day}.{extension}",
                "raw": content,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
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
        """Why this case cannot be handed over now (a message), or False."""
        self.ensure_one()
        agency = self.agency_id
        if agency.state != "active":
            return self.env._(
                "Collection agency '%(agency)s' is not active (%(state)s): confirm the "
                "partnership first.",
                agency=agency.name,
                state=dict(agency._fields["state"].selection)[agency.state],
            )
        partner = self.partner_id
        missing = [
            label
            for label, value in (
                (self.env._("street"), partner.street),
                (self.env._("ZIP"), partner.zip),
                (self.env._("city"), partner.city),
                (self.env._("country"), partner.country_id),
            )
            if not value
        ]
        if missing:
            return self.env._(
                "Debtor %(partner)s has no complete address (missing: %(missing)s): an agency "
                "cannot work without it. Complete the address on the contact.",
                partner=partner.display_name,
                missing=", ".join(missing),
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
            return self.env._(
                "Collection case %(case)s reports letters that never reached the debtor "
                "(%(letters)s): an agency may only claim what was really dunned. Deliver them "
                "(print or send) or remove their invoices from the case.",
                case=self.name,
                letters=", ".join(undelivered),
            )
        if not self.line_ids:
            return self.env._("Collection case %s has no invoices.", self.name)
        if not float_compare(self.amount_open, 0, precision_rounding=self.currency_id.rounding) > 0:
            return self.env._(
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
                raise UserError(problem)
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
            body = self.env._(
                "Handed over to collection agency %(agency)s: case %(case)s.",
                agency=case.agency_id.name,
                case=case.name,
            )
            # a note on the debtor and its documents, whoever may write them
            for record in [*case.move_ids.sudo(), case.partner_id.sudo()]:
                record.message_post(body=body)

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
            case.message_post(body=self.env._("Recalled from the agency: %s", reason))
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

    def _write_off(self, reason, account, date):
        """Post the uncollectable rest to ``account`` and close the cases."""
        self._check_state(AT_AGENCY_STATES, self.env._("written off"))
        self._check_workflow_access()
        for case in self:
            lines = case._receivable_lines()
            if not lines:
                raise UserError(
                    self.env._("Collection case %s has nothing open to write off.", case.name)
                )
            amount = sum(lines.mapped("amount_residual_currency"))
            label = self.env._("Write-off %(case)s: %(reason)s", case=case.name, reason=reason)
            line_vals = []
            for line in lines:
                line_vals.append(
                    {
                        "name": label,
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "currency_id": line.currency_id.id,
                        "amount_currency": -line.amount_residual_currency,
                        "balance": -line.amount_residual,
                    }
                )
            for line in lines:
                line_vals.extend(case._write_off_expense_lines(line, account, label))
            journal = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(case.company_id),
                    ("type", "=", "general"),
                ],
                limit=1,
            )
            if not journal:
                raise UserError(
                    self.env._(
                        "Company %s has no miscellaneous journal for the write-off entry.",
                        case.company_id.name,
                    )
                )
            move = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": date,
                    "ref": label,
                    "company_id": case.company_id.id,
                    "line_ids": [fields.Command.create(vals) for vals in line_vals],
                }
            )
            move.action_post()
            counterparts = move.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).sorted("id")
            for line, counterpart in zip(lines, counterparts[: len(lines)], strict=True):
                (line | counterpart).reconcile()
            case._write_workflow(
                {
                    "state": "written_off",
                    "write_off_reason": reason,
                    "write_off_move_id": move.id,
                    "amount_written_off": amount,
                    "close_date": date,
                }
            )
            case.message_post(
                body=self.env._(
                    "Written off %(amount)s (%(move)s): %(reason)s",
                    amount=case.currency_id.format(case.amount_written_off),
                    move=move.name,
                    reason=reason,
                )
            )
        return True

    def _write_off_expense_lines(self, line, account, label):
        """Debit lines that write off the open amount of receivable ``line``.

        The VAT of an uncollectable invoice is corrected (UStG §17): the open
        amount is split over the invoice's taxes in proportion to its lines,
        and each part is written off net with the invoice's tax, whose tax
        line Odoo adds (refund repartition: output VAT goes down). Charges
        (no VAT), other currencies, and lines with several or non-percent
        taxes are written off gross.
        """
        values = {
            "name": label,
            "account_id": account.id,
            "partner_id": line.partner_id.id,
            "currency_id": line.currency_id.id,
        }
        gross = line.amount_residual
        move = line.move_id
        company = move.company_id
        shares = defaultdict(float)
        if move.currency_id == company.currency_id and move.amount_total:
            for product_line in move.invoice_line_ids.filtered(
                lambda inv_line: inv_line.display_type == "product"
            ):
                shares[product_line.tax_ids] += product_line.price_total
        taxable = {
            taxes: total
            for taxes, total in shares.items()
            if len(taxes) == 1
            and taxes.amount_type == "percent"
            and not taxes.price_include
            and taxes.amount
        }
        if not taxable:
            return [{**values, "amount_currency": gross, "balance": gross}]
        currency = company.currency_id
        result = []
        rest = gross
        for taxes, total in taxable.items():
            part = currency.round(gross * total / move.amount_total)
            rest -= part
            rate = taxes.amount / 100
            base = currency.round(part / (1 + rate))
            # the base whose tax (rounded like Odoo) adds up to the part exactly
            for candidate in (base, base - currency.rounding, base + currency.rounding):
                if currency.is_zero(candidate + currency.round(candidate * rate) - part):
                    base = candidate
                    break
            else:
                rest += part  # no exact split: this part goes gross with the rest
                continue
            result.append(
                {
                    **values,
                    "amount_currency": base,
                    "balance": base,
                    "tax_ids": [fields.Command.set(taxes.ids)],
                }
            )
        if not currency.is_zero(rest):
            result.append({**values, "amount_currency": rest, "balance": rest})
        return result

    # ------------------------------------------------------------------
    # PAYMENTS
    # ------------------------------------------------------------------

    def _paid_since_handover(self):
        """What was paid (or credited) on the documents since the handover."""
        self.ensure_one()
        current = open_amount(self.move_ids)
        return sum(self.line_ids.mapped("open_at_handover")) - current - self.amount_written_off

    def _sync_payments(self):
        """Record payments the debtor made directly and tell the agency; settle paid cases.

        Whatever the documents' open amount went down by since the handover and
        is not an agency remittance is a direct payment (or a credit note): it
        is recorded on the case and an update message goes to the agency.
        """
        today = fields.Date.context_today(self)
        for case in self.filtered(lambda case: case.state in AT_AGENCY_STATES):
            rounding = case.currency_id.rounding
            direct = case._paid_since_handover() - case.amount_collected
            if float_compare(direct, 0, precision_rounding=rounding) > 0:
                payment = self.env["collection.case.payment"]._create_workflow(
                    {
                        "case_id": case.id,
                        "date": today,
                        "kind": "direct",
                        "amount": direct,
                        "reference": case._recent_payment_references(),
                    }
                )
                case._queue_message("update", case._export("update"))
                case.message_post(
                    body=self.env._(
                        "The debtor paid %(amount)s directly (%(reference)s); the agency is "
                        "informed.",
                        amount=case.currency_id.format(direct),
                        reference=payment.reference or "-",
                    )
                )
            case._update_paid_state()

    def _update_paid_state(self):
        for case in self:
            if case.state not in AT_AGENCY_STATES:
                continue
            if float_is_zero(case.amount_open, precision_rounding=case.currency_id.rounding):
                case._write_workflow(
                    {"state": "paid", "close_date": fields.Date.context_today(self)}
                )
            elif case.payment_ids:
                case._write_workflow({"state": "partially_paid"})

    def _recent_payment_references(self):
        """Names of the documents reconciled with the case's invoices since the handover."""
        self.ensure_one()
        lines = self.move_ids.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        partials = (lines.matched_credit_ids | lines.matched_debit_ids).filtered(
            lambda partial: partial.create_date.date() >= self.handover_date
        )
        known = self.payment_ids.payment_id.move_id
        counterparts = (
            (partials.credit_move_id.move_id | partials.debit_move_id.move_id)
            - self.move_ids
            - known
        )
        return ", ".join(counterparts.mapped("name"))

    @api.model
    def _cron_sync(self):
        """Hourly: match direct payments of open cases, then deliver pending messages."""
        cases = self.sudo().search([("state", "in", AT_AGENCY_STATES)])
        for company, company_cases in cases.grouped("company_id").items():
            company_cases.with_company(company)._sync_payments()
        self.env["ir.cron"]._commit_progress(len(cases))
        self.env["collection.case.message"]._deliver_pending()

    def _queue_message(self, message_type, attachment):
        self.ensure_one()
        message = self.env["collection.case.message"].create(
            {
                "case_id": self.id,
                "message_type": message_type,
                "attachment_id": attachment.id,
                "export_format": self.agency_id.export_format,
                "delivery": self.agency_id.delivery,
            }
        )
        message._on_queued()
        return message

    def action_view_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Documents of %s", self.name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.move_ids.ids)],
        }


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
    def _compute_details(self):
        for line in self:
            fees = line.fees_data or []
            interest = line.interest_data or []
            fmt = line.currency_id.format if line.currency_id else str
            line.fees_detail = "\n".join(
                f"{fee['date']}  {fee['description']}: {fmt(fee['amount'])}" for fee in fees
            )
            line.interest_detail = "\n".join(
                self.env._(
                    "%(invoice)s %(start)s - %(end)s, %(days)s days, %(rate)s on %(principal)s: "
                    "%(amount)s",
                    invoice=item.get("invoice", ""),
                    start=item["date_from"],
                    end=item["date_to"],
                    days=item["days"],
                    rate=item["rate"],
                    principal=fmt(item["principal"]),
                    amount=fmt(item["amount"]),
                )
                for item in interest
            )
            line.history = "\n".join(
                f"{event['date']}  {event['level']} ({event['channel']}, {event['letter']}"
                + (
                    self.env._(", delivered %s)", event["delivered"])
                    if event.get("delivered")
                    else self.env._(", not delivered)")
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


class CollectionCasePayment(models.Model):
    """A payment on a case: a remittance of the agency or a direct payment of the debtor."""

    _name = "collection.case.payment"
    _description = "Collection Case Payment"
    _order = "case_id, date, id"

    case_id = fields.Many2one("collection.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    date = fields.Date(required=True)
    kind = fields.Selection(
        [("agency", "Agency remittance"), ("direct", "Paid directly")], required=True
    )
    amount = fields.Monetary(help="Collected from the debtor (before commission).")
    commission = fields.Monetary(help="Retained by the agency.")
    payment_id = fields.Many2one("account.payment", readonly=True)
    reference = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        if vals_list and not self.env.su:
            cases = self.env["collection.case"].browse(
                {vals["case_id"] for vals in vals_list if vals.get("case_id")}
            )
            self._refuse_manual_change(cases)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._refuse_manual_change(self.case_id)
        return super().write(vals)

    def _refuse_manual_change(self, cases):
        raise UserError(
            self.env._(
                "Collection case %s: its payments are recorded by 'Register Agency Remittance' "
                "(what the agency collected) and by the hourly payment check (what the debtor paid "
                "you directly); they cannot be entered or changed by hand.",
                ", ".join(cases.exists().mapped("name")),
            )
        )

    @api.model
    def _create_workflow(self, vals):
        """Record a payment from the remittance wizard or the payment check of its case."""
        self.env["collection.case"].browse(vals["case_id"])._check_workflow_access()
        # safe: the user was just checked (a Dunning User allowed to write the case); the
        # superuser only passes the refusal of a hand-made payment in create()
        return self.sudo().create(vals).with_env(self.env)
