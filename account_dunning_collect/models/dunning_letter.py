from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, format_amount, format_date
from odoo.tools.translate import LazyTranslate

from ..tools.reader_text import post_note, render
from .dunning_level import CHANNELS
from .dunning_stop_mixin import MANAGER_GROUP

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)

# the letter's texts for people, each shown in the reader's language (see the fields)
READER_TEXTS = ("approval_reason", "interest_warning", "waive_reason", "delivery_error")
# letters sent by hand beyond this number are delivered by the delivery job
INSTANT_DELIVERY_LIMIT = 10
# What a person may change on a letter by hand (through the form or RPC);
# everything else (state, dates, amounts, charges, lines, delivery) changes
# only through the letter's actions, which check the user's group and then
# write as superuser (see ``_write_workflow``).
HAND_EDITABLE_FIELDS = frozenset(
    {"user_id", "activity_ids", "message_follower_ids", "message_ids", "message_main_attachment_id"}
)
LETTER_STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("sent", "Sent"),
    ("cancelled", "Cancelled"),
]


class DunningLetter(models.Model):
    _name = "dunning.letter"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Dunning Letter"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/", index="trigram")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    policy_id = fields.Many2one("dunning.policy", required=True, readonly=True, check_company=True)
    level_id = fields.Many2one(
        "dunning.level", required=True, readonly=True, check_company=True, index=True
    )
    run_id = fields.Many2one(
        "dunning.run",
        string="Dunning Run",
        readonly=True,
        index=True,
        ondelete="set null",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", help="Salesperson of the customer, else the run's user."
    )
    date = fields.Date(required=True, readonly=True, index=True)
    deadline_date = fields.Date(
        string="Payment Deadline", readonly=True, help="New payment deadline stated in the letter."
    )
    channel = fields.Selection(CHANNELS, required=True)
    state = fields.Selection(
        LETTER_STATES, required=True, default="draft", readonly=True, tracking=True, index=True
    )
    sent_date = fields.Date(readonly=True, copy=False)
    # The letter's texts for people (READER_TEXTS) are shown in the reader's language:
    # each is computed from its language-neutral entries (``*_entries``, see
    # tools.reader_text), after its plain text (``*_legacy``: letters made before,
    # texts typed by a person or written by another addon).
    approval_reason = fields.Text(
        compute="_compute_reader_texts",
        inverse="_inverse_approval_reason",
        readonly=True,
        help="Why the letter waits for approval or was not sent as planned.",
    )
    approval_reason_entries = fields.Json("Approval Reasons", readonly=True, copy=False)
    approval_reason_legacy = fields.Text("Approval Reason Text", readonly=True, copy=False)
    line_ids = fields.One2many("dunning.letter.line", "letter_id", readonly=True)
    payment_warning = fields.Text(
        compute="_compute_payment_warning",
        help="Overdue items of this unsent letter that were paid since the run made it.",
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", search="_search_move_ids"
    )
    amount_overdue = fields.Monetary(
        readonly=True, help="Open amount of the overdue items listed in the letter."
    )
    amount_credit = fields.Monetary(
        string="Credits", readonly=True, help="Open credit notes and unapplied payments (negative)."
    )
    amount_not_due = fields.Monetary(
        string="Not Yet Due", readonly=True, help="Open items listed for information."
    )
    amount_fee = fields.Monetary(string="Dunning Fee", readonly=True)
    amount_flat_fee = fields.Monetary(
        string="Flat Fees", readonly=True, help="BGB §288(5): 40 EUR once per invoice."
    )
    amount_interest = fields.Monetary(string="Default Interest", readonly=True)
    amount_total = fields.Monetary(
        string="Total to Pay",
        readonly=True,
        help="Overdue amount less credits, plus fees and interest charged by this letter.",
    )
    interest_warning = fields.Char(
        compute="_compute_reader_texts",
        inverse="_inverse_interest_warning",
        readonly=True,
        help="Why interest could not be charged for every day.",
    )
    interest_warning_entries = fields.Json("Interest Warnings", readonly=True, copy=False)
    interest_warning_legacy = fields.Char("Interest Warning Text", readonly=True, copy=False)
    interest_day_count = fields.Selection(
        [("act_365", "act/365"), ("act_act", "act/act")],
        readonly=True,
        help="How this letter divided interest days: by 365, or by 365/366 per calendar year.",
    )
    fee_move_id = fields.Many2one(
        "account.move",
        string="Charge Invoice",
        readonly=True,
        copy=False,
        check_company=True,
        help="The customer invoice of this letter's fees and interest.",
    )
    charges_waived = fields.Boolean(readonly=True, copy=False)
    waive_reason = fields.Text(
        compute="_compute_reader_texts", inverse="_inverse_waive_reason", readonly=True
    )
    waive_reason_entries = fields.Json("Waiver Reasons", readonly=True, copy=False)
    waive_reason_legacy = fields.Text("Waiver Reason Text", readonly=True, copy=False)
    delivered_date = fields.Date(
        "Delivered On",
        readonly=True,
        copy=False,
        help="The day the letter reached the customer: its e-mail was sent, it was printed for "
        "posting, or the call was made. The next level counts from this day (or the letter's "
        "date, whichever is later); until then the customer gets no new letter.",
    )

    _partner_date_idx = models.Index("(partner_id, date DESC)")
    # the run's look-up of customers held back by undelivered letters
    _undelivered_idx = models.Index(
        "(partner_id, currency_id) WHERE state = 'sent' AND delivered_date IS NULL"
    )

    # ------------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------------

    @api.depends(
        *(f"{name}_entries" for name in READER_TEXTS),
        *(f"{name}_legacy" for name in READER_TEXTS),
    )
    @api.depends_context("lang")
    def _compute_reader_texts(self):
        for letter in self:
            for name in READER_TEXTS:
                texts = [letter[f"{name}_legacy"]] + [
                    render(self.env, entry) for entry in letter[f"{name}_entries"] or []
                ]
                letter[name] = "\n".join(filter(None, texts)) or False

    def _set_plain_text(self, name):
        """A text written as it is (a person's, another addon's): kept as written."""
        for letter in self:
            letter[f"{name}_legacy"] = letter[name]
            letter[f"{name}_entries"] = False
        # the text read in other languages (cached while the write protects it) is stale
        self.invalidate_recordset([name])

    def _inverse_approval_reason(self):
        self._set_plain_text("approval_reason")

    def _inverse_interest_warning(self):
        self._set_plain_text("interest_warning")

    def _inverse_waive_reason(self):
        self._set_plain_text("waive_reason")

    def _inverse_delivery_error(self):
        self._set_plain_text("delivery_error")

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for letter in self:
            letter.move_ids = letter.line_ids.move_id

    def _search_move_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    @api.depends(
        "state", "line_ids.amount_residual", "line_ids.move_line_id.amount_residual_currency"
    )
    def _compute_payment_warning(self):
        for letter in self:
            details = letter._paid_since() if letter.state in ("draft", "to_approve") else ""
            letter.payment_warning = (
                self.env._(
                    "Paid since the run made this letter:\n%(details)s\nCancel it: the next "
                    "run writes a letter with the open amounts.",
                    details=details,
                )
                if details
                else False
            )

    def _paid_since(self):
        """One line per overdue item (invoice or charges) now less open than the letter says."""
        self.ensure_one()
        details = []
        for line in self.line_ids.filtered(lambda line: line.kind == "overdue"):
            item = line.move_line_id.exists()
            document = line.move_id.name or item.display_name
            if not item or item.parent_state != "posted":
                # a cancelled (or reset to draft) invoice is owed no more than a paid one
                details.append(
                    self.env._(
                        "%(document)s: cancelled or no longer posted, in the letter %(then)s",
                        document=document,
                        then=format_amount(self.env, line.amount_residual, self.currency_id),
                    )
                )
                continue
            open_now = item.amount_residual_currency
            if self.currency_id.compare_amounts(open_now, line.amount_residual) < 0:
                details.append(
                    self.env._(
                        "%(document)s: open %(now)s, in the letter %(then)s",
                        document=document,
                        now=format_amount(self.env, open_now, self.currency_id),
                        then=format_amount(self.env, line.amount_residual, self.currency_id),
                    )
                )
        return "\n".join(details)

    def _settled_since(self):
        """Whether every overdue item the letter lists (invoices, charges) is paid now."""
        self.ensure_one()
        overdue = self.line_ids.filtered(lambda line: line.kind == "overdue").move_line_id
        # paid, cancelled, reset to draft or deleted: nothing of it is owed any more
        return bool(overdue) and all(
            item.parent_state != "posted"
            or item.reconciled
            or item.currency_id.is_zero(item.amount_residual_currency)
            for item in overdue.exists()
        )

    def _check_not_paid_since(self):
        """Refuse to send letters that ask for amounts paid since the run made them."""
        stale = [(letter, letter._paid_since()) for letter in self]
        stale = [(letter, details) for letter, details in stale if details]
        if stale:
            raise UserError(
                self.env._(
                    "These letters ask for amounts that were paid since the run made them:\n"
                    "%(details)s\nCancel them: the next dunning run writes new letters with the "
                    "open amounts.",
                    details="\n".join(
                        f"{letter.display_name} ({letter.partner_id.display_name}): {details}"
                        for letter, details in stale
                    ),
                )
            )

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for letter in self:
            letter.display_name = letter.name if letter.name != "/" else self.env._("New letter")

    # ------------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # letters are written by the dunning run (in bulk, not through here)
        if not self.env.su:
            raise AccessError(
                self.env._("Dunning letters are written by the dunning run, not by hand.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            protected = set(vals) - HAND_EDITABLE_FIELDS
            if "channel" in vals and all(
                letter.state in ("draft", "to_approve") for letter in self
            ):
                protected.discard("channel")  # the way a waiting letter goes out
            if protected:
                raise AccessError(
                    self.env._(
                        "%(letters)s: %(fields)s change only through the letter's actions "
                        "(Approve, Send, Cancel, Print, Waive Charges), not by hand.",
                        letters=", ".join(self.mapped("display_name")[:5]),
                        fields=", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in sorted(protected)
                            if name in self._fields
                        ),
                    )
                )
        return super().write(vals)

    def _write_workflow(self, vals):
        """Write state, dates, amounts or delivery fields from an action.

        The actions check the user's group before they get here, and the
        user must be allowed to write letters at all (a Dunning User); writing
        as superuser is then what lets them change what ``write`` refuses by
        hand.
        """
        if not self.env.su:
            self.check_access("write")
        return self.sudo().write(vals)

    def unlink(self):
        # deleting a letter not sent yet gives its invoices their previous level
        # back, as cancelling does
        moves = self.line_ids.filtered("level_id").move_id.ids
        result = super().unlink()
        self.env["dunning.run"]._update_move_levels(moves)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(letter.state == "sent" for letter in self):
            raise UserError(
                self.env._(
                    "Sent dunning letters are part of the dunning history and cannot be deleted: "
                    "%s.",
                    ", ".join(self.filtered(lambda letter: letter.state == "sent").mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # PUBLIC ACTIONS
    # ------------------------------------------------------------------

    def action_approve(self):
        """Approve letters waiting for approval and send them (managers only)."""
        self._check_manager(self.env._("approve dunning letters"))
        wrong = self.filtered(lambda letter: letter.state != "to_approve")
        if wrong:
            raise UserError(
                self.env._(
                    "Only letters waiting for approval can be approved: %s.",
                    ", ".join(wrong.mapped("display_name")),
                )
            )
        self._check_not_paid_since()
        self._check_postal_address()
        self._bring_up_to_date()
        self._send()
        return True

    def _check_postal_address(self):
        """Refuse to send letters by post to customers without a complete postal address.

        The run lets such a letter wait for approval so that a manager sees it;
        approving it unchanged would only make a delivery that fails.
        """
        by_post = self.filtered(lambda letter: letter.channel in ("letter", "email_letter"))
        missing = by_post._without_postal_address()
        if missing:
            raise UserError(
                self.env._(
                    "Letters by post to customers without a complete postal address (street, "
                    "ZIP and city): %(letters)s (%(customers)s). Add the address to the "
                    "customer, or cancel the letter.",
                    letters=", ".join(missing.mapped("display_name")),
                    customers=", ".join(missing.partner_id.mapped("display_name")),
                )
            )

    def action_send(self):
        """Send draft letters through their channel.

        Letters that need a manager's approval go to "To Approve" instead,
        unless the current user is a manager, whose sending is the approval.
        """
        wrong = self.filtered(lambda letter: letter.state not in ("draft", "to_approve"))
        if wrong:
            raise UserError(
                self.env._(
                    "Only draft letters or letters waiting for approval can be sent: %s.",
                    ", ".join(wrong.mapped("display_name")),
                )
            )
        is_manager = self.env.su or self.env.user.has_group(MANAGER_GROUP)
        waiting = self.filtered(lambda letter: letter.state == "to_approve")
        if waiting and not is_manager:
            raise AccessError(
                self.env._(
                    "Letters %s wait for a Dunning Manager's approval.",
                    ", ".join(waiting.mapped("display_name")),
                )
            )
        self._check_not_paid_since()
        self._check_postal_address()
        self._bring_up_to_date()
        self._send()
        return True

    def _bring_up_to_date(self, date=None):
        """Date letters waiting for approval the day they go out (today).

        The letter is planned again as of that day, as the daily run would:
        its date, payment deadline, items, days overdue, level, interest up
        to that day and fees are computed then (the charge invoice, posted
        at delivery, is due on the new deadline). Refuses, naming the
        letter, when nothing of it is left to dun.
        """
        date = date or fields.Date.context_today(self)
        for company, letters in self.grouped("company_id").items():
            run = (
                self.env["dunning.run"]
                .with_company(company)
                .new({"date": date, "company_id": company.id})
            )
            partner_ids = sorted(set(letters.partner_id.ids))
            rows = run._fetch_items(partner_ids)
            run._process_partners(partner_ids, rows, refresh=letters)

    def _content_signature(self):
        """What the letter asks for (level, total, items and their amounts), not its date."""
        self.ensure_one()
        return (
            self.level_id.id,
            self.currency_id.round(self.amount_total),
            tuple(
                sorted(
                    (line.move_line_id.id, line.kind, line.amount_residual, line.level_id.id)
                    for line in self.line_ids
                )
            ),
        )

    def _cancel_internal(self, note=None):
        """Cancel letters not sent yet (by the run or an action), with an optional note
        (a text of ``_lt``, shown in each reader's language)."""
        self._write_workflow({"state": "cancelled"})
        if note:
            for letter in self:
                post_note(letter, note)
        self._refresh_move_levels()

    def _refresh_move_levels(self):
        """The letters' state changed: their invoices' levels follow (sent letters only)."""
        self.env["account.move.line"].invalidate_model(["dunning_level_id", "dunning_date"])
        self.env["dunning.run"]._update_move_levels(self.line_ids.filtered("level_id").move_id.ids)

    def action_cancel(self):
        """Cancel letters not sent yet; their items go back to the level they had."""
        wrong = self.filtered(lambda letter: letter.state not in ("draft", "to_approve"))
        if wrong:
            raise UserError(
                self.env._(
                    "Sent or cancelled letters cannot be cancelled: %s.",
                    ", ".join(wrong.mapped("display_name")),
                )
            )
        self._cancel_internal()
        return True

    def action_view_moves(self):
        """Open the invoices listed in the letter."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.move_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    def _check_manager(self, what):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only a Dunning Manager may %s.", what))

    @api.model
    def _reserve_names(self, company, count):
        """Return ``count`` letter numbers from the letter sequence in one query.

        A standard (gap-allowed) sequence without date ranges hands out many
        numbers with one ``nextval`` over ``generate_series``; any other
        configuration falls back to one call per number.
        """
        if not count:
            return []
        sequence = (
            self.env["ir.sequence"]
            .sudo()  # reading the sequence's configuration, not granting anything
            .search(
                [("code", "=", "dunning.letter"), ("company_id", "in", [company.id, False])],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            raise UserError(
                self.env._(
                    "The sequence for dunning letters (code 'dunning.letter') is missing. "
                    "Create it under Settings > Technical > Sequences."
                )
            )
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for __ in range(count)]
        rows = self.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in rows]

    def _send(self, sent_date=None, deliver=None, marked=False):
        """Mark the letters sent and queue their delivery.

        ``sent_date`` is the run's date when a run sends; else today. The
        documents and e-mails are made at once for a few letters sent by hand
        (``deliver`` None) or when ``deliver`` is True; the daily run leaves
        them to the delivery job, outside its decision transaction. The run
        inserts the letters it sends already marked sent (``marked``), which
        saves rewriting every letter it has just written. Charges are posted
        when a letter is delivered (``_mark_delivered``): a fee for a letter
        that never reached the customer is not owed.
        """
        if not self:
            return
        if not marked:
            self._write_workflow(
                {
                    "state": "sent",
                    "sent_date": sent_date or fields.Date.context_today(self),
                    "delivery_state": "pending",
                    "delivery_attempts": 0,
                    "delivery_error": False,
                }
            )
            self._refresh_move_levels()
        calls = self.filtered(lambda letter: letter.channel == "phone")
        if calls:
            calls._deliver_phone()
            calls._write_workflow({"delivery_state": "to_call"})
        if deliver is None:
            deliver = len(self) <= INSTANT_DELIVERY_LIMIT
        if deliver:
            (self - calls)._deliver()
        elif self - calls:
            self.env.ref("account_dunning_collect.ir_cron_dunning_delivery")._trigger()

    def _mark_delivered(self, date=None, vals=None):
        """The letters reached the customer on ``date``: post their charges, note it.

        A letter delivered once (its e-mail, say) stays delivered on that day
        when it is printed as well.
        """
        date = date or fields.Date.context_today(self)
        todo = self.filtered(lambda letter: not letter.delivered_date)
        self._write_workflow(dict(vals or {}))
        todo._write_workflow({"delivered_date": date})
        todo._post_charges(date)

    def _post_charges(self, date=None):
        """Post one customer invoice per letter for its fee, flat fees and interest.

        Dated the day the letter was delivered (``date``), no VAT (dunning fees
        and default interest are damages, UStAE 1.3: each line carries the
        company's tax on dunning charges, 0 %, outside the scope of VAT), due
        on the letter's payment deadline (not before its own date), flagged
        ``is_dunning_charge`` so that it is never itself charged fees or
        interest. The company's bank account on it is a trusted one, or none:
        posting never fails on that flag, whoever delivers the letter.
        """
        date = date or fields.Date.context_today(self)
        letters = self.filtered(
            lambda letter: (
                not letter.fee_move_id
                and not letter.charges_waived
                and (letter.amount_fee or letter.amount_flat_fee or letter.amount_interest)
            )
        )
        if not letters:
            return
        interest_product = self.env.ref("account_dunning_collect.product_dunning_interest")
        flat_fee_product = self.env.ref("account_dunning_collect.product_dunning_flat_fee")
        journals = {}
        vals_list = []
        for letter in letters:
            company = letter.company_id
            journal = letter.policy_id.charge_journal_id
            if not journal:
                if company not in journals:
                    journals[company] = self.env["account.journal"].search(
                        [
                            *self.env["account.journal"]._check_company_domain(company),
                            ("type", "=", "sale"),
                        ],
                        limit=1,
                    )
                journal = journals[company]
            if not journal:
                raise UserError(
                    self.env._(
                        "Company %s has no sales journal for the invoice of dunning charges: "
                        "create one or choose it on the dunning policy.",
                        company.name,
                    )
                )
            tax = company._dunning_charge_tax()
            # the charge invoice goes to the customer: its labels in the customer's
            # language and format, whoever delivers the letter
            reader = letter.with_context(lang=letter.partner_id.lang or self.env.lang)
            lines = []
            if letter.amount_fee:
                lines.append(
                    self._charge_line(
                        tax,
                        letter.level_id.fee_product_id,
                        reader.env._(
                            "Dunning fee (%(level)s, %(letter)s)",
                            level=reader.level_id.name,
                            letter=letter.name,
                        ),
                        letter.amount_fee,
                    )
                )
            for line in reader.line_ids:
                if line.amount_flat_fee:
                    lines.append(
                        self._charge_line(
                            tax,
                            flat_fee_product,
                            reader.env._("Flat fee BGB §288(5), %s", line.move_id.name),
                            line.amount_flat_fee,
                        )
                    )
                if line.amount_interest:
                    lines.append(
                        self._charge_line(
                            tax,
                            interest_product,
                            reader.env._(
                                "Default interest %(invoice)s: %(date_from)s - %(date_to)s, "
                                "%(days)s days at %(rate)s",
                                invoice=line.move_id.name,
                                date_from=format_date(reader.env, line.interest_date_from),
                                date_to=format_date(reader.env, line.interest_date_to),
                                days=line.interest_days,
                                rate=line._format_interest_rate(),
                            ),
                            line.amount_interest,
                        )
                    )
            # an untrusted company account blocks posting for a person but not for
            # the cron (account.move._post): the invoice carries a trusted one or none
            trusted = company.partner_id.bank_ids.filtered(
                lambda bank, c=company: (
                    bank.allow_out_payment
                    and bank.active
                    and bank.company_id in (c, self.env["res.company"])
                )
            )[:1]
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": letter.partner_id.id,
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "currency_id": letter.currency_id.id,
                    "invoice_date": date,
                    "invoice_payment_term_id": False,
                    "invoice_date_due": max(letter.deadline_date or date, date),
                    "partner_bank_id": trusted.id,
                    "invoice_origin": letter.name,
                    "is_dunning_charge": True,
                    "invoice_line_ids": lines,
                }
            )
        moves = self.env["account.move"].sudo().create(vals_list)  # the letter's own charges
        moves.action_post()
        for letter, move in zip(letters, moves, strict=True):
            letter._write_workflow({"fee_move_id": move.id})

    def _charge_line(self, tax, product, label, amount):
        return Command.create(
            {
                "product_id": product.id,
                "name": label,
                "quantity": 1,
                "price_unit": amount,
                # not taxable (0 %, VAT category O): why the line carries no VAT, as
                # the e-invoice XML must say for each line
                "tax_ids": [Command.set(tax.ids)],
            }
        )

    def action_waive_charges(self):
        """Open the wizard that waives this letter's fees and interest."""
        self._check_manager(self.env._("waive dunning charges"))
        return {
            "type": "ir.actions.act_window",
            "res_model": "dunning.letter.waive",
            "view_mode": "form",
            "target": "new",
            "context": {"default_letter_ids": self.ids},
        }

    def _waive_charges(self, reason):
        """Waive fees and interest: reverse the charge invoice, or drop them before sending."""
        self._check_manager(self.env._("waive dunning charges"))
        if not reason:
            raise UserError(self.env._("Give a reason for waiving the dunning charges."))
        for letter in self:
            if letter.charges_waived or not (
                letter.amount_fee or letter.amount_flat_fee or letter.amount_interest
            ):
                raise UserError(
                    self.env._("Letter %s has no charges to waive.", letter.display_name)
                )
        for letter in self:
            note = _lt("Dunning charges waived: %s", reason)
            if letter.fee_move_id:
                reversal = letter.fee_move_id._reverse_moves(
                    default_values_list=[{"ref": self.env._("Dunning charges waived: %s", reason)}],
                    cancel=True,
                )
                note = _lt(
                    "Dunning charges waived (credit note %(credit_note)s): %(reason)s",
                    credit_note=reversal.name,
                    reason=reason,
                )
            else:
                charges = letter.amount_fee + letter.amount_flat_fee + letter.amount_interest
                letter.line_ids.sudo().write({"amount_interest": 0.0, "amount_flat_fee": 0.0})
                letter._write_workflow(
                    {
                        "amount_total": letter.amount_total - charges,
                        "amount_fee": 0.0,
                        "amount_flat_fee": 0.0,
                        "amount_interest": 0.0,
                    }
                )
            letter._write_workflow({"charges_waived": True, "waive_reason": reason})
            # the PDF showed the charges: kept with the note, the next print renders anew
            retired = letter._retire_document()
            post_note(letter, note, attachment_ids=retired.ids)

    def _deliver_phone(self):
        """Schedule a call for the responsible user of each letter."""
        activity_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": letter.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "summary": self.env._(
                        "Call %(partner)s about %(amount)s overdue",
                        partner=letter.partner_id.display_name,
                        amount=letter.currency_id.format(letter.amount_total),
                    ),
                    "date_deadline": letter.date,
                    "user_id": (letter.user_id or self.env.user).id,
                }
                for letter in self
            ]
        )
