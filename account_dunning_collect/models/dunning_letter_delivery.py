"""Delivery of sent letters: the PDF document, the e-mail, the print batch, the log.

The daily run decides and sends letters (state "sent", charges posted); the
documents are made afterwards, by the delivery cron in batches or at once
when a user sends a letter from its form. Everything a delivery writes (the
PDF attachment, the e-mail queued in mail.mail, the delivery state, the
chatter notes) is written in one transaction per batch, so a crash loses
nothing and a retry sends nothing twice: e-mails leave Odoo's mail queue only
after that transaction has committed.
"""

import io
import json
import logging
import re
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models, modules, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize, format_amount, format_date, split_every
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.pdf import PdfFileReader
from odoo.tools.translate import LazyTranslate

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..tools import CronBudget, bulk_insert, check_xml, xml_from_pdf
from ..tools.letter_pdf import LetterPages
from ..tools.reader_text import Label, RecordName, freeze, post_note, render_html

_logger = logging.getLogger(__name__)
# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)

LETTER_REPORT = "account_dunning_collect.report_dunning_letter"
DEFAULT_TEMPLATE = "account_dunning_collect.email_template_dunning_default"
DELIVERY_STATES = [
    ("pending", "Queued"),
    ("to_print", "To Print"),
    ("to_call", "Call Scheduled"),
    ("done", "Delivered"),
    ("failed", "Failed"),
    ("withdrawn", "Withdrawn (paid)"),
]
MAX_DELIVERY_ATTEMPTS = 3
# letters rendered per wkhtmltopdf call and delivered per transaction: small
# enough for a batch (with its invoices' PDFs) to end well within a cron's
# time limit (120 s by default in a threaded server)
DELIVERY_BATCH_SIZE = 20
PLACEHOLDER = re.compile(r"\{(partner|deadline|total|letter|company)\}")
EINVOICE_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml")


class DunningLetter(models.Model):
    _inherit = "dunning.letter"

    delivery_state = fields.Selection(
        DELIVERY_STATES,
        readonly=True,
        copy=False,
        index=True,
        help="Queued: the document and e-mail are made by the delivery job shortly. "
        "To Print: waits in the print batch. Failed: see the delivery error. Withdrawn: "
        "everything the letter asks for was paid before it went out; it was not sent and its "
        "charges were reversed.",
    )
    delivery_partner_id = fields.Many2one(
        "res.partner",
        string="Recipient",
        readonly=True,
        copy=False,
        help="The customer's invoice address, else the customer.",
    )
    document_id = fields.Many2one(
        "ir.attachment", string="Letter PDF", readonly=True, copy=False, ondelete="set null"
    )
    mail_message_id = fields.Many2one(
        "mail.message", string="E-mail", readonly=True, copy=False, ondelete="set null"
    )
    printed_date = fields.Date(
        "Posted On", readonly=True, copy=False, help="Date the letter was printed for posting."
    )
    delivery_attempts = fields.Integer(readonly=True, copy=False)
    delivery_error = fields.Text(
        compute="_compute_reader_texts", inverse="_inverse_delivery_error", readonly=True
    )
    delivery_error_entries = fields.Json("Delivery Errors", readonly=True, copy=False)
    delivery_error_legacy = fields.Text("Delivery Error Text", readonly=True, copy=False)
    document_warning = fields.Char(compute="_compute_document_warning")

    # ------------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------------

    @api.depends("company_id")
    def _compute_document_warning(self):
        for letter in self:
            letter.document_warning = (
                False
                if letter._report_bank_account()
                else self.env._(
                    "Company %s has no bank account: the letter shows no bank details and no "
                    "QR code. Add one to the company's contact (Accounting > Configuration > "
                    "Bank Accounts).",
                    letter.company_id.name,
                )
            )

    # ------------------------------------------------------------------
    # PUBLIC ACTIONS
    # ------------------------------------------------------------------

    def action_preview(self):
        """Show the letter as the customer will read it (HTML, in a new tab)."""
        return {
            "type": "ir.actions.act_url",
            "url": f"/report/html/{LETTER_REPORT}/{','.join(map(str, self.ids))}",
            "target": "new",
        }

    def action_open_document(self):
        """Download the letter's PDF as it was sent."""
        self.ensure_one()
        if not self.document_id:
            raise UserError(
                self.env._("Letter %s has no PDF yet: print it or deliver it first.", self.name)
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.document_id.id}?download=true",
            "target": "self",
        }

    def action_print_letters(self):
        """Render the selected sent letters into one PDF and mark them posted."""
        if not self:
            raise UserError(self.env._("No letters to print."))
        wrong = self.filtered(lambda letter: letter.state != "sent")
        if wrong:
            raise UserError(
                self.env._(
                    "Only sent letters can be printed (send or approve them first): %s.",
                    ", ".join(wrong.mapped("display_name")),
                )
            )
        letters = self.sorted(lambda letter: (letter.partner_id.name or "", letter.id))
        batch = letters._print_batch()
        # "new": the web client downloads the PDF and then reloads the form or list
        # the button was on, so that "To Print" shows what is left (with "self" the
        # page stays as it was until a reload)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{batch.id}?download=true",
            "target": "new",
        }

    def action_retry_delivery(self):
        """Queue failed deliveries again (after the cause was fixed)."""
        wrong = self.filtered(lambda letter: letter.delivery_state != "failed")
        if wrong:
            raise UserError(
                self.env._(
                    "Only letters whose delivery failed can be retried: %s.",
                    ", ".join(wrong.mapped("display_name")),
                )
            )
        self._write_workflow(
            {"delivery_state": "pending", "delivery_attempts": 0, "delivery_error": False}
        )
        self._deliver()
        return True

    # ------------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------------

    @api.model
    def _cron_deliver(self):
        """Make the documents and e-mails of queued letters, a batch per transaction.

        A failing batch is retried letter by letter; a letter failing
        ``MAX_DELIVERY_ATTEMPTS`` times is marked failed for a human to look at.
        """
        budget = CronBudget(self.env)
        domain = [
            ("state", "=", "sent"),
            ("delivery_state", "=", "pending"),
            ("delivery_attempts", "<", MAX_DELIVERY_ATTEMPTS),
        ]
        if budget.first_call:
            self._fallback_failed_emails()
        remaining = self.search_count(domain)
        self.env["ir.cron"]._commit_progress(remaining=remaining)
        failed_ids = []
        # Out of time, the call returns with letters left: ir.cron calls again at
        # once if this call delivered some, and that call, out of time too,
        # delivers none, which ends the wake-up; the next one comes at once.
        while remaining and budget.allows_batch():
            letters = self.search(
                [*domain, ("id", "not in", failed_ids)], order="id", limit=DELIVERY_BATCH_SIZE
            )
            if not letters:
                break
            with budget.batch():
                failed_ids += letters._deliver_isolated().ids
            remaining = max(remaining - len(letters), 0)
            self.env["ir.cron"]._commit_progress(len(letters), remaining=remaining)

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    def _deliver_isolated(self):
        """Deliver in a savepoint; on error retry one by one. Return the letters that failed."""
        try:
            with self.env.cr.savepoint():
                self._deliver()
            return self.browse()
        except Exception as error:
            self.env.invalidate_all()
            if len(self) > 1:
                failed = self.browse()
                for letter in self:
                    failed |= letter._deliver_isolated()
                return failed
            _logger.warning("Delivery of dunning letter %s failed", self.name, exc_info=True)
            attempts = self.delivery_attempts + 1
            self._write_workflow(
                {
                    "delivery_attempts": attempts,
                    "delivery_error": str(error.args[0] if error.args else error),
                    "delivery_state": "failed" if attempts >= MAX_DELIVERY_ATTEMPTS else "pending",
                }
            )
            return self

    def _deliver(self):
        """Make the documents of queued letters and deliver them through their channel."""
        letters = self.filtered(lambda letter: letter.delivery_state == "pending")
        settled = letters.filtered(lambda letter: letter._settled_since())
        if settled:
            settled._withdraw_settled()
            letters -= settled
        if not letters:
            return
        for company, by_company in letters.grouped("company_id").items():
            company_letters = by_company.with_company(company)
            company_letters._render_documents()
            company_letters.filtered(
                lambda letter: letter.channel in ("email", "email_letter")
            )._deliver_by_email()
            to_print = company_letters.filtered(
                lambda letter: (
                    letter.channel in ("letter", "email_letter")
                    and letter.delivery_state == "pending"
                )
            )
            to_print._write_workflow({"delivery_state": "to_print", "delivery_error": False})
            if to_print:
                to_print._fail_without_postal_address()

    def _withdraw_settled(self):
        """Keep back letters whose overdue items were all paid before they went out.

        The letter is not delivered (no PDF, no e-mail, no print) and its
        charge invoice, if the customer has not paid it, is reversed: a fee
        for a letter the customer never received is not owed.
        """
        today = fields.Date.context_today(self)
        for letter in self:
            charge = letter.fee_move_id
            note = _lt(
                "Not delivered: everything this letter asks for was paid (or cancelled) before "
                "it went out."
            )
            values = {"delivery_state": "withdrawn", "delivery_error": False}
            charged = letter.amount_fee or letter.amount_flat_fee or letter.amount_interest
            reason = [freeze(_lt("%s withdrawn: paid before delivery", letter.name))]
            if not charge and charged:
                # charges are posted at delivery: these never will be
                values.update(charges_waived=True, waive_reason_entries=reason)
                note = _lt("%s Its charges are not posted.", note)
            if charge.state == "posted" and charge.payment_state == "not_paid":
                reversal = charge._reverse_moves(
                    [
                        {
                            "date": today,
                            "invoice_date": today,
                            "ref": self.env._("%s withdrawn: paid before delivery", letter.name),
                        }
                    ],
                    cancel=True,
                )
                note = _lt(
                    "%(note)s Its charges %(charge)s were reversed by %(reversal)s.",
                    note=note,
                    charge=charge.name,
                    reversal=reversal.name,
                )
                # as a manager's waiver would: the form says so, nothing is left to waive
                values.update(charges_waived=True, waive_reason_entries=reason)
            letter._write_workflow(values)
            post_note(letter, note)

    def _delivery_contacts(self):
        """Return {letter id: contact}: the invoice address of the customer, else the customer."""
        contacts = self.env["dunning.run"]._delivery_contacts(self.partner_id)
        return {letter.id: contacts[letter.partner_id.id] for letter in self}

    def _without_postal_address(self):
        """The letters among these whose contact (or else customer) lacks street, ZIP or city."""
        contacts = self._delivery_contacts()
        return self.filtered(
            lambda letter: (
                not self.env["dunning.run"]._has_postal_address(
                    letter.partner_id, contacts[letter.id]
                )
            )
        )

    def _fail_without_postal_address(self):
        """Mark the letters for the print batch without a postal address as failed, saying why."""
        for letter in self._without_postal_address():
            letter._write_workflow(
                {
                    "delivery_state": "failed",
                    "delivery_error_entries": [
                        freeze(
                            _lt(
                                "%s has no complete postal address (street, ZIP, city): "
                                "complete it, then retry the delivery.",
                                letter.partner_id.display_name,
                            )
                        )
                    ],
                }
            )

    def _render_documents(self):
        """Render the PDFs of letters that have none, several letters per wkhtmltopdf call."""
        todo = self.filtered(lambda letter: not letter.document_id)
        # a letter printed from the Print menu after sending already has its PDF
        for attachment in (
            self.env["ir.attachment"]
            .sudo()  # looking up the letters' own documents
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", todo.ids),
                    ("name", "in", [letter._document_filename() for letter in todo]),
                ]
            )
        ):
            letter = todo.browse(attachment.res_id)
            if not letter.document_id and attachment.name == letter._document_filename():
                letter._write_workflow({"document_id": attachment.id})
        todo = todo.filtered(lambda letter: not letter.document_id)
        if not todo:
            return
        report_model = self.env["ir.actions.report"]
        if not self._test_mode() and report_model.get_wkhtmltopdf_state() == "install":
            raise UserError(
                self.env._(
                    "wkhtmltopdf is not installed, so the dunning letters cannot be made into "
                    "PDFs. Install the 'wkhtmltopdf' package on the Odoo server (Debian/Ubuntu: "
                    "apt install wkhtmltopdf) and retry the delivery."
                )
            )
        for chunk in split_every(DELIVERY_BATCH_SIZE, todo.ids, self.browse):
            content, report_type = report_model._pre_render_qweb_pdf(
                LETTER_REPORT, res_ids=chunk.ids
            )
            by_id = report_model._get_splitted_report(LETTER_REPORT, content, report_type)
            missing = set(chunk.ids) - set(by_id)
            if missing:
                raise UserError(
                    self.env._(
                        "The letter PDF could not be split per letter (letters %s).",
                        ", ".join(self.browse(missing).mapped("name")),
                    )
                )
            attachments = (
                self.env["ir.attachment"]
                .sudo()  # the letter's own document; readable with the letter
                .create(
                    [
                        {
                            "name": letter._document_filename(),
                            "raw": by_id[letter.id],
                            "mimetype": "application/pdf",
                            "res_model": self._name,
                            "res_id": letter.id,
                        }
                        for letter in chunk
                    ]
                )
            )
            for letter, attachment in zip(chunk, attachments, strict=True):
                letter._write_workflow({"document_id": attachment.id})

    def _retire_document(self):
        """Set the letter's PDF aside, renamed "<letter> (before waiver).pdf"; return it.

        The PDF shows what was sent, charges included; after they are waived
        the letter is printed anew (the report reuses a stored PDF only under
        the letter's own file name), the old one stays in the history.
        """
        self.ensure_one()
        documents = self.document_id | self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("name", "=", self._document_filename()),
            ]
        )
        if documents:
            stem = self._document_filename().removesuffix(".pdf")
            # the letter's own PDF; who waives was checked to be a dunning manager
            documents.sudo().write({"name": self.env._("%s (before waiver).pdf", stem)})
            self._write_workflow({"document_id": False})
        return documents

    def _document_filename(self):
        self.ensure_one()
        return f"{(self.name or 'letter').replace('/', '_')}.pdf"

    @api.model
    def _test_mode(self):
        # as ir.actions.report does: tests render HTML instead of calling wkhtmltopdf
        return bool(
            (modules.module.current_test or tools.config["test_enable"])
            and not self.env.context.get("force_report_rendering")
        )

    def _deliver_by_email(self):
        """Send each letter by e-mail with its PDF, its charge invoice and the invoices' PDFs.

        A missing or blacklisted address falls back to the print batch, with a
        note on the letter: a letter is never silently lost.
        """
        if not self:
            return
        contacts = self._delivery_contacts()
        emails = {
            letter.id: email_normalize(contacts[letter.id].email or letter.partner_id.email or "")
            for letter in self
        }
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()  # reading whether an address opted out, nothing else
            .search([("email", "in", [e for e in emails.values() if e])])
            .mapped("email")
        )
        sendable = self.browse()
        for letter in self:
            email = emails[letter.id]
            if not email or email in blacklisted:
                reason = (
                    _lt("the address %s is blacklisted (opted out of e-mails)", email)
                    if email
                    else _lt("the customer has no e-mail address")
                )
                letter._fallback_to_post(reason)
            else:
                sendable |= letter
        if not sendable:
            return
        # the charge invoice goes with the e-mail: posted now, dated today
        sendable.filtered(lambda letter: not letter.delivered_date)._post_charges(
            fields.Date.context_today(self)
        )
        documents, problems = sendable._collect_attachments()
        by_template = defaultdict(self.browse)
        default_template = self.env.ref(DEFAULT_TEMPLATE)
        for letter in sendable:
            by_template[letter.level_id.mail_template_id or default_template] |= letter
        for template, letters in by_template.items():
            rendered = template._generate_template(
                letters.ids, ("subject", "body_html", "email_from", "reply_to")
            )
            for letter in letters:
                values = rendered[letter.id]
                contact = contacts[letter.id]
                message = letter.with_context(mail_notify_force_send=False).message_post(
                    body=values["body_html"],
                    subject=values["subject"],
                    email_from=values.get("email_from") or None,
                    reply_to=values.get("reply_to") or None,
                    partner_ids=contact.ids,
                    attachment_ids=documents[letter.id],
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    email_layout_xmlid="mail.mail_notification_light",
                )
                # the e-mail is handed to the mail queue: the letter is delivered
                letter._mark_delivered(
                    vals={
                        "mail_message_id": message.id,
                        "delivery_partner_id": contact.id,
                        "delivery_state": "done" if letter.channel == "email" else "pending",
                        "delivery_error": False,
                    }
                )
                if problems.get(letter.id):
                    letter.message_post(
                        body=Markup("<p>%s</p><ul>%s</ul>")
                        % (
                            self.env._("Attachments of the dunning e-mail:"),
                            Markup().join(
                                Markup("<li>%s</li>") % text for text in problems[letter.id]
                            ),
                        )
                    )
        # letters also going by post are logged once, when they are printed
        sendable.filtered(lambda letter: letter.delivery_state == "done")._log_sent()

    def _fallback_to_post(self, reason):
        """E-mail is not possible: deliver by post instead, and say so on the letter."""
        self.ensure_one()
        note = _lt("Not sent by e-mail (%s): the letter goes to the print batch.", reason)
        self._write_workflow(
            {
                "channel": "letter",
                "delivery_state": "pending",
                "delivered_date": False,
                "approval_reason_entries": [*(self.approval_reason_entries or []), freeze(note)],
            }
        )
        post_note(self, note)

    def _collect_attachments(self):
        """Return ({letter id: [attachment ids]}, {letter id: [problem texts]}).

        Each e-mail carries the letter PDF, the letter's charge invoice and, when
        the level asks for it, the PDF of every overdue invoice listed, made by
        Odoo's own sending of invoices (with the Factur-X/ZUGFeRD XML embedded).
        """
        invoices = self.env["account.move"]
        for letter in self:
            invoices |= letter.fee_move_id
            if letter.level_id.attach_invoices:
                invoices |= letter.line_ids.filtered(
                    lambda line: line.kind == "overdue" and line.move_id.is_sale_document()
                ).move_id
        invoice_docs, invoice_problems = self._invoice_documents(invoices)
        documents, problems = {}, {}
        for letter in self:
            ids = letter.document_id.ids
            texts = []
            moves = letter.fee_move_id
            if letter.level_id.attach_invoices:
                moves |= letter.line_ids.filtered(lambda line: line.kind == "overdue").move_id
            for move in moves:
                ids += invoice_docs.get(move.id, [])
                texts += invoice_problems.get(move.id, [])
            documents[letter.id] = ids
            problems[letter.id] = texts
        return documents, problems

    def _invoice_documents(self, invoices):
        """Return ({move id: [attachment ids]}, {move id: [problem texts]}) for ``invoices``.

        Invoices without a PDF get one through ``account.move.send`` -- the XML
        is Odoo's, never built here. The embedded XML is read back and checked
        against its XSD; an invoice failing the check is attached all the same.
        """
        invoices = invoices.filtered(lambda move: move.state == "posted")
        if not invoices:
            return {}, {}
        missing = invoices.filtered(lambda move: not move.invoice_pdf_report_id)
        if missing:
            # Odoo renders its invoices in one wkhtmltopdf call, which a build
            # against an unpatched Qt refuses for more than one document
            together = self._test_mode() or _wkhtml().is_patched_qt
            for moves in [missing] if together else list(missing):
                self.env["account.move.send"]._generate_and_send_invoices(
                    moves, allow_raising=False, sending_methods=["manual"]
                )
            invoices.invalidate_recordset(["invoice_pdf_report_id"])
        separate_xml = defaultdict(lambda: self.env["ir.attachment"])
        for attachment in self.env["ir.attachment"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "in", invoices.ids),
                ("name", "in", EINVOICE_XML_NAMES),
            ],
            order="id desc",
        ):
            separate_xml[attachment.res_id] = separate_xml[attachment.res_id] or attachment
        documents, problems = {}, {}
        send = self.env["account.move.send"]
        for move in invoices:
            if not move.invoice_pdf_report_id:
                problems[move.id] = [
                    self.env._("%s: no PDF could be made (see the invoice's chatter).", move.name)
                ]
                continue
            attachments = send._get_invoice_extra_attachments(move)
            filename, xml = xml_from_pdf(move.invoice_pdf_report_id.raw)
            if not xml:
                # e.g. no wkhtmltopdf in tests: Odoo keeps the XML beside the PDF
                xml_attachment = separate_xml.get(move.id)
                if xml_attachment:
                    attachments |= xml_attachment
                    filename, xml = xml_attachment.name, xml_attachment.raw
            documents[move.id] = attachments.ids
            if not xml:
                problems[move.id] = [self.env._("%s: no Factur-X/ZUGFeRD XML.", move.name)]
                continue
            error = check_xml(xml)
            if error:
                problems[move.id] = [
                    self.env._(
                        "%(invoice)s: the XML %(file)s fails the Factur-X/ZUGFeRD XSD check "
                        "(attached all the same): %(error)s",
                        invoice=move.name,
                        file=filename,
                        error=error,
                    )
                ]
        return documents, problems

    def _fallback_failed_emails(self):
        """Letters whose e-mail bounced or could not be sent go to the print batch."""
        notifications = (
            self.env["mail.notification"]
            .sudo()  # reading delivery status of the letters' own e-mails
            .search(
                [
                    ("notification_status", "in", ("exception", "bounce")),
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.message_type", "=", "comment"),
                ]
            )
        )
        if not notifications:
            return
        letters = self.search(
            [
                ("mail_message_id", "in", notifications.mail_message_id.ids),
                ("delivery_state", "=", "done"),
                ("channel", "=", "email"),
            ]
        )
        for letter in letters:
            letter._fallback_to_post(_lt("the e-mail could not be delivered"))

    def _print_batch(self):
        """Render missing documents in one call, merge all into one PDF, mark letters posted."""
        for company, letters in self.grouped("company_id").items():
            letters.with_company(company)._render_documents()
        content = self._merge_documents(
            self.document_id.sorted(lambda doc: self.ids.index(doc.res_id))
        )
        today = fields.Date.context_today(self)
        runs = self.run_id
        batch = (
            self.env["ir.attachment"]
            .sudo()  # the print batch of letters the user may read
            .create(
                {
                    "name": self.env._("Dunning letters %s.pdf", fields.Date.to_string(today)),
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": "dunning.run" if len(runs) == 1 else False,
                    "res_id": runs.id if len(runs) == 1 else False,
                }
            )
        )
        to_mark = self.filtered(lambda letter: letter.delivery_state in ("to_print", "pending"))
        if to_mark:
            contacts = to_mark._delivery_contacts()
            for letter in to_mark:
                letter._mark_delivered(
                    today,
                    {
                        "delivery_state": "done",
                        "printed_date": today,
                        "delivery_partner_id": contacts[letter.id].id,
                        "delivery_error": False,
                    },
                )
            to_mark._log_sent()
        return batch

    @api.model
    def _merge_documents(self, attachments):
        """One PDF from the letters' PDFs (HTML pages joined when tests render HTML)."""
        raws = [attachment.raw for attachment in attachments]
        if not all(raw.startswith(b"%PDF") for raw in raws):
            return b"".join(raws)
        if len(raws) == 1:
            return raws[0]
        streams = [io.BytesIO(raw) for raw in raws]
        with self.env["ir.actions.report"]._merge_pdfs(streams) as merged:
            return merged.getvalue()

    @api.model
    def _pdf_page_count(self, content):
        return len(PdfFileReader(io.BytesIO(content), strict=False).pages)

    def _log_sent(self):
        """Post one note per letter, with its PDF, on the partner's and each invoice's chatter.

        The notes are internal (nobody is notified) and written with one INSERT:
        creating thousands of mail.message records through the ORM costs about
        two milliseconds each (HTML sanitising, reply-to look-up, cache
        inverses). The body is markup built here from escaped values.
        """
        if not self:
            return
        author_id, email_from = self.env["mail.thread"]._message_compute_author(
            self.env.user.partner_id.id
        )
        self.flush_recordset()
        self.env["dunning.letter.line"].flush_model(["letter_id", "move_line_id"])
        moves_by_letter = dict(
            self.env.execute_query(
                SQL(
                    """SELECT line.letter_id, array_agg(DISTINCT aml.move_id ORDER BY aml.move_id)
                         FROM dunning_letter_line line
                         JOIN account_move_line aml ON aml.id = line.move_line_id
                        WHERE line.letter_id = ANY(%s)
                     GROUP BY line.letter_id""",
                    self.ids,
                )
            )
        )
        levels = {level.id: level for level in self.level_id}
        rows, documents = [], []
        subtype_id = self.env.ref("mail.mt_note").id
        now = fields.Datetime.now()
        for letter_id, name, partner_id, level_id, channel, document_id in self.env.execute_query(
            SQL(
                "SELECT id, name, partner_id, level_id, channel, document_id"
                " FROM dunning_letter WHERE id = ANY(%s)",
                self.ids,
            )
        ):
            # language-neutral: each reader reads the note in their language
            text = freeze(
                _lt(
                    "Dunning letter sent: %(letter)s (%(level)s, %(channel)s)",
                    letter=Markup(
                        "<a href='#' data-oe-model='dunning.letter' data-oe-id='%s'>%s</a>"
                    )
                    % (letter_id, name),
                    level=RecordName(levels[level_id]),
                    channel=Label(self._name, "channel", channel),
                )
            )
            body = str(render_html(self.env, text))
            text_json = json.dumps(text)
            targets = [("res.partner", partner_id)] + [
                ("account.move", move_id) for move_id in moves_by_letter.get(letter_id, [])
            ]
            for model, res_id in targets:
                vals = self._prepare_sent_note_vals(
                    model,
                    res_id,
                    body,
                    subtype_id=subtype_id,
                    author_id=author_id,
                    email_from=email_from,
                    date=now,
                )
                rows.append({**vals, "dunning_text": text_json})
                documents.append(document_id)
        self.env["mail.message"].flush_model()
        columns = list(rows[0])
        message_ids = bulk_insert(
            self.env,
            "mail_message",
            columns,
            [tuple(row[column] for column in columns) for row in rows],
        )
        links = [
            (message_id, document_id)
            for message_id, document_id in zip(message_ids, documents, strict=True)
            if document_id
        ]
        if links:
            self.env.execute_query(
                SQL(
                    """INSERT INTO message_attachment_rel (message_id, attachment_id)
                       SELECT * FROM unnest(%s::int4[], %s::int4[])""",
                    [link[0] for link in links],
                    [link[1] for link in links],
                )
            )
        self.env["res.partner"].invalidate_model(["message_ids"])
        self.env["account.move"].invalidate_model(["message_ids"])

    @api.model
    def _prepare_sent_note_vals(self, model, res_id, body, subtype_id, author_id, email_from, date):
        """Column values of one "letter sent" note in a chatter (see ``_log_sent``):
        one place for the table's row, so that another addon can add a column."""
        return {
            "model": model,
            "res_id": res_id,
            "body": body,
            "message_id": generate_tracking_message_id(f"{res_id}-{model}"),
            "message_type": "notification",
            "subtype_id": subtype_id,
            "author_id": author_id or None,
            "email_from": email_from,
            "reply_to": email_from,
            "email_add_signature": True,
            "date": date,
        }

    # ------------------------------------------------------------------
    # HELPERS FOR THE LETTER AND THE E-MAIL
    # ------------------------------------------------------------------

    def _report_bank_account(self):
        """The company's bank account shown in the letter: a trusted one first."""
        self.ensure_one()
        accounts = self.company_id.partner_id.bank_ids.filtered(
            lambda bank: not bank.company_id or bank.company_id == self.company_id
        )
        return accounts.sorted(lambda bank: not bank.allow_out_payment)[:1]

    def _report_qr_code(self):
        """EPC/GiroCode QR (data URI) for the total, when the bank account allows one."""
        self.ensure_one()
        bank = self._report_bank_account()
        if not bank or self.amount_total <= 0:
            return False
        qr = bank.build_qr_code_base64(
            self.amount_total, self.name, None, self.currency_id, self.partner_id
        )
        return qr or False

    def _report_lang(self):
        """The letter's language: the customer's, else the user's."""
        self.ensure_one()
        return self.partner_id.lang or self.env.lang

    def _report_salutation(self):
        """The letter's salutation in its language, from the recipient and its form of address.

        Companies (and addresses without a name of their own) are "Dear Sir or
        Madam"; a person with a form of address "Dear Ms/Mr <last name>"; any
        other person "Hello <full name>". A contact person of a company is a
        person; an invoice address of a company only with a form of address.
        """
        self.ensure_one()
        env = self.with_context(lang=self._report_lang()).env
        contact = self.delivery_partner_id or self._delivery_contacts()[self.id]
        # an invoice address of a company ("Accounting") is no person unless it is addressed as one
        is_address = contact.parent_id and contact.type != "contact"
        if (
            contact.is_company
            or not contact.name
            or (is_address and not contact.dunning_form_of_address)
        ):
            return env._("Dear Sir or Madam,")
        if contact.dunning_form_of_address:
            # partner_firstname (OCA) knows the last name; else it is the name's last word
            last_name = contact["lastname"] if "lastname" in contact._fields else ""
            last_name = last_name or contact.name.split()[-1]
            if contact.dunning_form_of_address == "ms":
                return env._("Dear Ms %s,", last_name)
            return env._("Dear Mr %s,", last_name)
        return env._("Hello %s,", contact.name)

    def _report_footer_columns(self):
        """The footer columns of every page: who writes (§35a GmbHG, §37a HGB), contact, bank.

        The same data in the PDF (drawn onto each page) and in the HTML preview.
        """
        self.ensure_one()
        env = self.with_context(lang=self._report_lang()).env
        company = self.company_id
        bank = self._report_bank_account()
        address = [
            company.name,
            ", ".join(filter(None, [company.street, company.street2])),
            " ".join(filter(None, [company.zip, company.city])),
        ]
        register = [
            company.city and env._("Registered office: %s", company.city),
            company.dunning_register_court,
            company.company_registry,
            company.dunning_managing_directors
            and env._("Managing directors: %s", company.dunning_managing_directors),
        ]
        contact = [
            company.phone and env._("Phone: %s", company.phone),
            company.email,
            re.sub(r"^https?://", "", company.website or ""),
            company.vat and env._("VAT ID: %s", company.vat),
        ]
        banking = [
            bank.bank_id.name,
            bank and env._("IBAN: %s", bank.acc_number),
            bank.bank_id.bic and env._("BIC: %s", bank.bank_id.bic),
        ]
        return tuple(
            tuple(line for line in column if line)
            for column in (address, register, contact, banking)
            if any(column)
        )

    def _report_page_label(self):
        """The page number in the letter's language, with %(page)s and %(pages)s."""
        self.ensure_one()
        return self.with_context(lang=self._report_lang()).env._("Page %(page)s of %(pages)s")

    def _report_running_header(self):
        """The line at the top of page 2 and later: the letter's number and date."""
        self.ensure_one()
        lang = self._report_lang()
        return self.with_context(lang=lang).env._(
            "Letter %(number)s of %(date)s",
            number=self.name,
            date=format_date(self.env, self.date, lang_code=lang),
        )

    def _report_pages(self):
        """What the letter's PDF carries on each page (see tools/letter_pdf.py)."""
        self.ensure_one()
        return LetterPages(
            footer_columns=self._report_footer_columns(),
            page_label=self._report_page_label(),
            running_header=self._report_running_header(),
        )

    def _report_subject(self):
        self.ensure_one()
        return self.level_id.letter_subject or self.level_id.name

    def _report_letter_text(self):
        """The level's text in the customer's language, placeholders filled in."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        level = self.level_id.with_context(lang=lang)
        values = {
            "partner": self.partner_id.name,
            "deadline": format_date(self.env, self.deadline_date, lang_code=lang),
            "total": format_amount(self.env, self.amount_total, self.currency_id, lang_code=lang),
            "letter": self.name,
            "company": self.company_id.name,
        }
        text = str(level.letter_text or "")
        return Markup(PLACEHOLDER.sub(lambda match: str(escape(values[match[1]])), text))

    def _report_levels(self):
        """{line id: level name} -- the item's level after this letter.

        A line that did not escalate shows the level its item already had
        from earlier letters (none for items listed only for information).
        """
        self.ensure_one()
        levels = {}
        missing = self.line_ids.filtered(lambda line: not line.level_id and line.kind == "overdue")
        if missing:
            self.env["dunning.letter.line"].flush_model()
            rows = self.env.execute_query(
                SQL(
                    """SELECT DISTINCT ON (line.move_line_id) line.move_line_id, line.level_id
                         FROM dunning_letter_line line
                         JOIN dunning_letter letter ON letter.id = line.letter_id
                        WHERE line.move_line_id = ANY(%s) AND line.level_id IS NOT NULL
                          AND letter.state = 'sent' AND letter.id != %s
                          AND letter.date <= %s
                        ORDER BY line.move_line_id, letter.date DESC, letter.id DESC""",
                    missing.move_line_id.ids,
                    self.id,
                    self.date,
                )
            )
            earlier = dict(rows)
            names = {
                level.id: level.name
                for level in self.env["dunning.level"].browse(set(earlier.values()))
            }
            for line in missing:
                if line.move_line_id.id in earlier:
                    levels[line.id] = names[earlier[line.move_line_id.id]]
        for line in self.line_ids.filtered("level_id"):
            levels[line.id] = line.level_id.name
        return levels
