import io
import re
import time
from datetime import date
from unittest.mock import patch
from urllib.parse import quote

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import config, mute_logger
from odoo.tools.pdf import PdfFileReader

from ..models.dunning_letter_delivery import LETTER_REPORT, MAX_DELIVERY_ATTEMPTS
from .common import DunningCommon, load_german, mark_delivered

DELIVERY = "odoo.addons.account_dunning_collect.models.dunning_letter_delivery"


@tagged("post_install", "-at_install")
class TestDunningDelivery(DunningCommon):
    # the letters of the run under test wait for the delivery job
    deliver_runs = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_account = cls._company_bank_account("Commerzbank")
        cls.vat = cls.company_data["default_tax_sale"]
        cls.product = cls.env["product.product"].create(
            {"name": "Beratung", "type": "service", "taxes_id": [Command.set(cls.vat.ids)]}
        )
        # the invoice address of the customer receives the letters
        cls.billing = cls.env["res.partner"].create(
            {
                "name": "Buchhaltung Kunde",
                "parent_id": cls.customer.id,
                "type": "invoice",
                "email": "buchhaltung@kunde.example",
                "street": "Rechnungsweg 1",
                "zip": "20095",
                "city": "Hamburg",
                "country_id": cls.env.ref("base.de").id,
            }
        )

    @classmethod
    def _product_invoice(cls, partner, amount, invoice_date):
        """An invoice as Factur-X needs it: a product (item name) and VAT; ``amount`` is net."""
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": cls.term_14.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.set(cls.vat.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _html(self, letter):
        html, __ = self.env["ir.actions.report"]._render_qweb_html(LETTER_REPORT, letter.ids)
        return html.decode()

    def _text(self, letter):
        """The letter's text as a reader sees it: no tags, single spaces."""
        text = re.sub(r"<[^>]+>", " ", self._html(letter)).replace("&nbsp;", " ")
        return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\ufeff", ""))

    def _marks(self, content):
        """Letter numbers of the 'mail us about this letter' links in a PDF."""
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        return [
            annotation.get_object()["/A"]["/URI"].split("subject=")[1]
            for page in reader.pages
            for annotation in page.get("/Annots") or []
        ]

    def _mails(self, letter):
        return self.env["mail.mail"].search(
            [("model", "=", "dunning.letter"), ("res_id", "=", letter.id)]
        )

    # ------------------------------------------------------------------
    # the letter
    # ------------------------------------------------------------------

    def test_letter_in_german(self):
        load_german(self.env)
        # the company's policy is a copy made before German was loaded
        shipped = self.env.ref("account_dunning_collect.dunning_level_reminder").sudo()
        german = shipped.with_context(lang="de_DE")
        self.reminder.with_context(lang="de_DE").write(
            {"name": german.name, "letter_text": german.letter_text}
        )
        self.customer.lang = "de_DE"
        self.policy.allocate_payments = False  # keep the credit note open: it is listed
        invoice = self._product_invoice(self.customer, 1000.0, "2026-03-01")
        credit = self._invoice(self.customer, 34.5, "2026-03-10", move_type="out_refund")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.amount_total, 1155.5)
        html = self._html(letter)
        text = self._text(letter)
        for expected in (
            "Zahlungserinnerung",  # the level's subject in German
            "Sehr geehrte Damen und Herren,",
            "Kunde GmbH, Buchhaltung Kunde",  # the invoice address
            "Rechnungsweg 1",
            f"{invoice.name} 01.03.2026 15.03.2026 7 1.190,00 € 1.190,00 € Zahlungserinnerung",
            f"{credit.name} 10.03.2026 -34,50 €",
            "Zu zahlen 1.155,50 €",
            "Bitte überweisen Sie 1.155,50 € bis zum 25.03.2026",  # deadline: 3 days
            "IBAN: DE89 3704 0044 0532 0130 00 BIC: COBADEFFXXX Bank: Commerzbank",
            f"Verwendungszweck: {letter.name}",
            "Sicher ist Ihnen entgangen",  # the level's text
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Dear Sir or Madam", text)
        self.assertRegex(html, r'o_dunning_qr">\s*<img [^>]*src="data:image/png;base64,')

    def test_letter_in_english_with_fees_and_interest(self):
        self.customer.lang = "en_US"
        # in default from the day after the due date: the reminder charges interest too
        self.policy.write({"interest_mode": "statutory", "default_basis": "due_date"})
        self.dunning1.write({"fee_product_id": self.dunning2.fee_product_id.id, "fee_amount": 5.0})
        invoice = self._product_invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22", deliver=True)
        self._run("2026-04-05")
        letter = self._letters()[-1]
        self.assertEqual(letter.level_id, self.dunning1)
        # the reminder charged 16-22 March; now 23 March to 5 April (14 days)
        # on 1,190.00 at 1.27 % + 9 points; the reminder's 2.34 is overdue too
        reminder_charges = self._letters()[0].fee_move_id
        self.assertEqual(reminder_charges.amount_total, 2.34)
        self.assertEqual(letter.amount_interest, 4.69)
        self.assertEqual(letter.amount_total, 1190.0 + 2.34 + 5.0 + 4.69)
        text = self._text(letter)
        for expected in (
            "Dear Sir or Madam",
            "1st dunning",
            f"{invoice.name} 03/01/2026 03/15/2026 21 1,190.00 € 1,190.00 € 1st dunning",
            "Dunning fee ( 1st dunning ) 5.00 €",
            f"{reminder_charges.name} (dunning charges) 03/22/2026 03/25/2026 11 2.34 € 2.34 €",
            f"Default interest on invoice {invoice.name} : 03/23/2026 \u2013 04/05/2026 , 14 days",
            "in default since 03/16/2026 ( § 286(2) no. 1 BGB )",
            "4.69 €",
            "Total to pay 1,202.03 €",
            "by 04/12/2026",
        ):
            self.assertIn(expected, text)

    def test_interest_periods_and_charge_labels_in_the_customers_format(self):
        """The interest periods and the charge invoice speak the customer's language and
        format, whoever delivers the letter (they were ISO dates and 1190.00 in English)."""
        self.policy.write({"interest_mode": "statutory", "default_basis": "due_date"})
        invoice = self._product_invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        line = letter.line_ids.filtered("amount_interest")
        # kept as the run wrote it: 16-22 March on 1,190.00 at 1.27 % + 9 points
        self.assertEqual(
            line.interest_detail, "2026-03-16 - 2026-03-22: 7 days at 10.27 % on 1190.00"
        )
        self.assertEqual(line.amount_interest, 2.34)
        self.customer.lang = "en_US"
        self.assertIn(
            "03/16/2026 \u2013 03/22/2026: 7 days at 10.27 % on 1,190.00 €", self._text(letter)
        )
        load_german(self.env)
        self.customer.lang = "de_DE"
        text = self._text(letter)
        self.assertIn("16.03.2026 \u2013 22.03.2026: 7 Tage zu 10,27 % auf 1.190,00 €", text)
        self.assertIn("7 Tage zu 10,27 %", text)
        self.assertNotIn("1190.00", text)
        # an English-speaking accountant delivers it: the charge invoice is in German
        self.assertEqual(self.env.user.lang, "en_US")
        mark_delivered(letter, "2026-03-23")
        self.assertEqual(
            letter.fee_move_id.invoice_line_ids.mapped("name"),
            [f"Verzugszinsen {invoice.name}: 16.03.2026 - 22.03.2026, 7 Tage zu 10,27 %"],
        )
        # an earlier line the run wrote in another form is printed as it is
        line.sudo().interest_detail = "7 days on 1190.00"
        self.assertIn("7 days on 1190.00", self._text(letter))

    def test_interest_of_installments_names_their_due_dates(self):
        """Two interest lines for one invoice read the same; each names its installment."""
        self.policy.write({"interest_mode": "statutory", "default_basis": "due_date"})
        term = self._installments(14, 44)
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01", term=term)
        self._run("2026-04-21")
        letter = self._letters()
        self.assertEqual(len(letter.line_ids.filtered("amount_interest")), 2)
        text = self._text(letter)
        for due in ("03/15/2026", "04/14/2026"):
            self.assertRegex(
                text,
                rf"Default interest on invoice {re.escape(invoice.name)} "
                rf"\(installment due {due} ?\) ?:",
            )
        # one line per invoice: no installment named
        self.assertNotIn("installment due", self._text(self._letter_with_one_interest_line()))

    def _letter_with_one_interest_line(self):
        other = self._create_customer("Einzel GmbH", email="einzel@example.com")
        self._invoice(other, 500.0, "2026-03-01")
        self._run("2026-04-28")
        return self._letters(other)

    def test_letter_text_placeholders(self):
        self.reminder.letter_text = (
            "<p>Dear {partner}, pay {total} by {deadline} quoting {letter} to {company}. "
            "{unknown} stays.</p>"
        )
        self._invoice(self.customer, 500.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(
            str(letter._report_letter_text()),
            f"<p>Dear Kunde GmbH, pay 500.00\xa0€ by 03/25/2026 quoting {letter.name} to "
            f"{self.company.name}. {{unknown}} stays.</p>",
        )

    def test_letter_keeps_its_din5008_layout_under_any_company_layout(self):
        """The letter brings its own window address block and paper format (DIN 5008 form B)."""
        report = self.env.ref("account_dunning_collect.action_report_dunning_letter")
        paperformat = self.env.ref("account_dunning_collect.paperformat_dunning_letter")
        self._invoice(self.customer, 500.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        layouts = [self.env.ref("web.external_layout_standard")]
        din = self.env.ref("l10n_din5008.external_layout_din5008", raise_if_not_found=False)
        if din:
            layouts.append(din)
        for layout in layouts:
            self.company.external_report_layout_id = layout
            html = self._html(letter)
            self.assertIn('name="dunning_window_address"', html)
            self.assertRegex(
                html, r'<h2 class="o_dunning_subject">\s*<span>Payment reminder</span>'
            )
            self.assertEqual(report.with_company(self.company).get_paperformat(), paperformat)
            text = self._text(letter)
            self.assertIn("Hauptstraße 1 · 10115 Berlin", text)  # the return address line
            self.assertIn("Kunde GmbH, Buchhaltung Kunde Rechnungsweg 1 20095 Hamburg", text)
        self.assertRecordValues(
            paperformat,
            [{"margin_left": 25.0, "margin_right": 20.0, "dpi": 96, "disable_shrinking": True}],
        )

    def test_no_bank_account_renders_without_qr_and_warns(self):
        self.bank_account.unlink()
        self._invoice(self.customer, 500.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        html = self._html(letter)
        self.assertIn(letter.name, html)
        self.assertNotIn("IBAN", html)
        self.assertNotIn('class="o_dunning_qr"', html)
        self.assertIn("has no bank account", letter.document_warning)

    def test_pdf_printed_before_delivery_is_reused(self):
        self.reminder.channel = "letter"
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        printed = self.env["ir.attachment"].create(
            {
                "name": letter._document_filename(),
                "raw": b"%PDF-1.4 printed from the Print menu",
                "res_model": "dunning.letter",
                "res_id": letter.id,
            }
        )
        self._deliver_letters()
        self.assertEqual(letter.document_id, printed)
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "dunning.letter"), ("res_id", "=", letter.id)]
            ),
            1,
        )

    def test_preview_from_form_and_list(self):
        self._invoice(self.customer, 500.0, "2026-03-01")
        self.policy.approval_required = True
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.state, "to_approve")
        action = letter.action_preview()
        self.assertEqual(action["url"], f"/report/html/{LETTER_REPORT}/{letter.id}")
        self.assertIn(letter.name, self._html(letter))  # renders before approval

    # ------------------------------------------------------------------
    # e-mail
    # ------------------------------------------------------------------

    def test_email_with_letter_invoices_and_checked_xml(self):
        invoice = self._product_invoice(self.customer, 1000.0, "2026-03-01")
        other = self._product_invoice(self.customer, 200.0, "2026-03-02")
        run = self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(run.pending_delivery_count, 1)
        self._deliver_letters("2026-03-22 06:00:00")
        self.assertRecordValues(
            letter,
            [
                {
                    "delivery_state": "done",
                    "delivery_partner_id": self.billing.id,
                    "delivery_error": False,
                    "channel": "email",
                }
            ],
        )
        mail = self._mails(letter)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.billing)
        self.assertEqual(mail.subject, f"{self.company.name}: Payment reminder {letter.name}")
        self.assertIn("Total to pay", mail.body_html)
        names = sorted(mail.attachment_ids.mapped("name"))
        self.assertIn(letter.document_id.name, names)
        for move in invoice | other:
            self.assertTrue(move.invoice_pdf_report_id, "the invoice PDF was made by Odoo")
            self.assertIn(move.invoice_pdf_report_id, mail.attachment_ids)
        # Odoo's Factur-X XML (kept beside the PDF when tests skip wkhtmltopdf),
        # checked against the XSD: no problem noted on the letter
        xml = mail.attachment_ids.filtered(lambda a: a.name == "factur-x.xml")
        self.assertEqual(len(xml), 2)
        notes = letter.message_ids.filtered(lambda m: "Attachments of the dunning e-mail" in m.body)
        self.assertFalse(notes, notes.body)
        self.assertEqual(letter.mail_message_id.attachment_ids, mail.attachment_ids)
        self.assertEqual(run.pending_delivery_count, 0)

    def test_xml_failing_the_xsd_is_attached_and_logged(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")  # a line without product
        self._run("2026-03-22")
        letter = self._letters()
        self._deliver_letters("2026-03-22 06:00:00")
        mail = self._mails(letter)
        self.assertIn(invoice.invoice_pdf_report_id, mail.attachment_ids)
        note = letter.message_ids.filtered(lambda m: "Attachments of the dunning e-mail" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn(f"{invoice.name}: the XML factur-x.xml fails", note.body)
        self.assertEqual(letter.delivery_state, "done")

    def test_level_without_template_uses_default_and_without_invoices(self):
        self.reminder.write({"mail_template_id": False, "attach_invoices": False})
        invoice = self._product_invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self._deliver_letters()
        mail = self._mails(letter)
        self.assertEqual(mail.subject, f"{self.company.name}: Payment reminder {letter.name}")
        self.assertEqual(mail.attachment_ids, letter.document_id)
        self.assertFalse(invoice.invoice_pdf_report_id)

    def test_charge_invoice_attached(self):
        self.dunning2.channel = "email"
        self._product_invoice(self.customer, 100.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05"):
            self._run(day, deliver=True)
        self._run("2026-04-19")
        letter = self._letters()[-1]
        self.assertEqual(letter.level_id, self.dunning2)
        # charges are posted when the letter is delivered, dated that day
        self.assertFalse(letter.fee_move_id)
        self._deliver_letters("2026-04-20 06:00:00")
        self.assertRecordValues(
            letter.fee_move_id,
            [
                {
                    "amount_total": 2.5,
                    "invoice_date": date(2026, 4, 20),
                    "invoice_date_due": date(2026, 4, 26),
                    "state": "posted",
                }
            ],
        )
        self.assertEqual(letter.delivered_date, date(2026, 4, 20))
        mail = self._mails(letter)
        self.assertIn(letter.fee_move_id.invoice_pdf_report_id, mail.attachment_ids)

    def _second_dunning(self):
        """A 2nd dunning by e-mail (2.50 fee) waiting for delivery, for a 119.00 invoice."""
        self.dunning2.channel = "email"
        invoice = self._product_invoice(self.customer, 100.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05"):
            self._run(day)
            self._deliver_letters(f"{day} 06:00:00")
        self._run("2026-04-19")
        letter = self._letters()[-1]
        self.assertRecordValues(
            letter,
            [{"level_id": self.dunning2.id, "delivery_state": "pending", "amount_fee": 2.5}],
        )
        return invoice, letter

    def test_letter_paid_before_delivery_is_withdrawn(self):
        """Everything the letter asks for is paid before the job delivers it: no PDF,
        no e-mail, its 2.50 fee never posted (charges come with delivery), a note."""
        invoice, letter = self._second_dunning()
        self.assertFalse(letter.fee_move_id)
        self._pay(invoice, 119.0, "2026-04-19")
        self._deliver_letters("2026-04-19 08:00:00")
        self.assertRecordValues(
            letter,
            [
                {
                    "state": "sent",
                    "delivery_state": "withdrawn",
                    "document_id": False,
                    "charges_waived": True,
                    "waive_reason": f"{letter.name} withdrawn: paid before delivery",
                }
            ],
        )
        with self.assertRaisesRegex(UserError, "has no charges to waive"):
            letter._waive_charges("twice")
        self.assertFalse(self._mails(letter))
        self.assertFalse(letter.fee_move_id)
        self.assertFalse(letter.delivered_date)
        self.assertIn(
            "Not delivered: everything this letter asks for was paid (or cancelled) before it "
            "went out. Its charges are not posted.",
            letter.message_ids[0].body,
        )
        # nothing is noted as sent on the invoice for this letter
        self.assertNotIn(letter.name, " ".join(invoice.message_ids.mapped("body")))
        self.assertEqual(
            self._letters().filtered_domain([("delivery_state", "=", "withdrawn")]), letter
        )

    def test_letter_partly_paid_before_delivery_is_delivered(self):
        invoice, letter = self._second_dunning()
        self._pay(invoice, 50.0, "2026-04-19")
        self._deliver_letters("2026-04-19 08:00:00")
        self.assertEqual(letter.delivery_state, "done")
        self.assertEqual(len(self._mails(letter)), 1)
        self.assertEqual(letter.fee_move_id.payment_state, "not_paid")

    def test_blacklisted_address_falls_back_to_post(self):
        self.env["mail.blacklist"].create({"email": "buchhaltung@kunde.example"})
        self._invoice(self.customer, 100.0, "2026-03-01")
        run = self._run("2026-03-22")
        letter = self._letters()
        self._deliver_letters()
        self.assertRecordValues(letter, [{"channel": "letter", "delivery_state": "to_print"}])
        self.assertFalse(self._mails(letter))
        self.assertIn("blacklisted", letter.approval_reason)
        self.assertIn("blacklisted", letter.message_ids[0].body)
        self.assertEqual(run.to_print_count, 1)

    def test_email_greets_the_person_as_the_letter_does(self):
        """The e-mails said "Dear Sir or Madam" to every person (the PDF greeted them)."""
        person = self._create_customer(
            "Anna Lange",
            email="anna@lange.example",
            is_company=False,
            lang="en_US",
            dunning_form_of_address="ms",
        )
        self._invoice(person, 300.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters(person)
        self._deliver_letters("2026-03-22 06:00:00")
        body = self._mails(letter).body_html
        self.assertIn("Dear Ms Lange,", body)
        self.assertNotIn("Dear Sir or Madam", body)
        load_german(self.env)
        person.write({"lang": "de_DE", "dunning_form_of_address": False})
        template = self.env.ref("account_dunning_collect.email_template_dunning_reminder")
        german = template._render_field("body_html", letter.ids, compute_lang=True)[letter.id]
        self.assertIn("Guten Tag Anna Lange,", german)
        self.assertIn("Sicher ist Ihnen entgangen", german)

    def test_missing_email_at_delivery_falls_back_to_post(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        (self.customer | self.billing).email = False
        self._deliver_letters()
        self.assertRecordValues(letter, [{"channel": "letter", "delivery_state": "to_print"}])
        self.assertIn("no e-mail address", letter.approval_reason)

    def test_no_email_and_no_address_fails_with_reason(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        (self.customer | self.billing).write({"email": False, "street": False})
        self._deliver_letters()
        self.assertEqual(letter.delivery_state, "failed")
        self.assertIn("no complete postal address", letter.delivery_error)

    def test_bounced_email_falls_back_to_post(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self._deliver_letters()
        self.assertEqual(letter.delivery_state, "done")
        letter.mail_message_id.notification_ids.sudo().notification_status = "exception"
        self._deliver_letters()
        self.assertRecordValues(letter, [{"channel": "letter", "delivery_state": "to_print"}])
        self.assertIn("could not be delivered", letter.approval_reason)

    def test_send_from_form_delivers_at_once(self):
        self.policy.approval_required = True
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        with freeze_time("2026-03-23"):
            letter.action_approve()
        self.assertRecordValues(
            letter, [{"state": "sent", "delivery_state": "done", "sent_date": date(2026, 3, 23)}]
        )
        self.assertEqual(len(self._mails(letter)), 1)

    # ------------------------------------------------------------------
    # failures and retries
    # ------------------------------------------------------------------

    @mute_logger(DELIVERY)
    def test_failure_is_retried_then_marked_failed(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        Letter = type(self.env["dunning.letter"])
        with patch.object(Letter, "_render_documents", side_effect=UserError("printer on fire")):
            self._deliver_letters()
            self.assertRecordValues(
                letter,
                [
                    {
                        "delivery_state": "pending",
                        "delivery_attempts": 1,
                        "delivery_error": "printer on fire",
                    }
                ],
            )
            for __ in range(MAX_DELIVERY_ATTEMPTS - 1):
                self._deliver_letters()
        self.assertRecordValues(
            letter, [{"delivery_state": "failed", "delivery_attempts": MAX_DELIVERY_ATTEMPTS}]
        )
        self.assertFalse(self._mails(letter))
        letter.action_retry_delivery()
        self.assertRecordValues(letter, [{"delivery_state": "done", "delivery_error": False}])
        self.assertEqual(len(self._mails(letter)), 1)

    @mute_logger(DELIVERY)
    def test_crash_after_email_sends_nothing_twice(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._invoice(
            self._create_customer("Zweite AG", email="z@example.com"), 100.0, "2026-03-01"
        )
        self._run("2026-03-22")
        letters = self._letters()
        Letter = type(self.env["dunning.letter"])
        original = Letter._log_sent

        def crash(records):
            original(records)
            raise RuntimeError("worker killed")

        with patch.object(Letter, "_log_sent", crash):
            self._deliver_letters()
        # the e-mails queued before the crash were rolled back with it
        self.assertFalse(self._mails(letters[0]) | self._mails(letters[1]))
        self.assertEqual(set(letters.mapped("delivery_state")), {"pending"})
        self.assertFalse(letters.document_id)
        self._deliver_letters()
        self.assertEqual(set(letters.mapped("delivery_state")), {"done"})
        self.assertEqual(len(self._mails(letters[0])), 1)
        self.assertEqual(len(self._mails(letters[1])), 1)

    def test_job_keeps_one_time_budget_per_wake_up(self):
        """ir.cron calls the job up to ten times in one wake-up: the job's budget
        (half the server's real-time limit of 120 s) covers all the calls."""
        for name in ("B AG", "C AG"):
            self._invoice(self._create_customer(name, email="x@example.com"), 100.0, "2026-03-01")
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letters = self._letters()
        self.registry_enter_test_mode()
        Letter = type(self.env["dunning.letter"])
        original = Letter._deliver_isolated
        cron = self.env.ref("account_dunning_collect.ir_cron_dunning_delivery")
        with (
            freeze_time("2026-03-22 06:00:00") as clock,
            patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": -1}),
            patch(f"{DELIVERY}.DELIVERY_BATCH_SIZE", 1),
        ):

            def slow_batch(records):
                clock.tick(25)  # a batch of PDFs and e-mails takes 25 seconds
                return original(records)

            with patch.object(Letter, "_deliver_isolated", slow_batch):
                woke_up = time.monotonic()
                cron.method_direct_trigger()
                # two batches (50 s); a third would end after the 60 s budget
                self.assertEqual(time.monotonic() - woke_up, 50)
                self.env.invalidate_all()
                self.assertEqual(
                    letters.sorted("id").mapped("delivery_state"), ["done", "done", "pending"]
                )
                # ir.cron called the job again at once; out of time, it delivered
                # nothing, which ended the wake-up ("partially done": due again now)
                progress = self.env["ir.cron.progress"].search(
                    [("cron_id", "=", cron.id)], order="id"
                )
                self.assertEqual(progress.mapped("done"), [2, 0])
                self.assertEqual(progress.mapped("remaining"), [1, 1])
                cron.method_direct_trigger()  # the next wake-up delivers the rest
        self.env.invalidate_all()
        self.assertEqual(set(letters.mapped("delivery_state")), {"done"})

    def test_wkhtmltopdf_missing_names_the_package(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters().with_context(force_report_rendering=True)
        with (
            patch.object(
                type(self.env["ir.actions.report"]), "get_wkhtmltopdf_state", return_value="install"
            ),
            self.assertRaisesRegex(UserError, "Install the 'wkhtmltopdf' package"),
        ):
            letter._render_documents()

    # ------------------------------------------------------------------
    # print batch
    # ------------------------------------------------------------------

    def _letters_for_post(self, count):
        self.reminder.channel = "letter"
        partners = self.customer
        for index in range(count - 1):
            partners |= self._create_customer(f"Post {index} GmbH")
        for partner in partners:
            self._invoice(partner, 100.0, "2026-03-01")
        run = self._run("2026-03-22")
        self._deliver_letters()
        return run, self._letters()

    def test_print_batch_marks_letters_posted(self):
        run, letters = self._letters_for_post(3)
        self.assertEqual(set(letters.mapped("delivery_state")), {"to_print"})
        self.assertEqual(run.to_print_count, 3)
        with freeze_time("2026-03-23"):
            action = run.action_print_letters()
        # downloaded in a new window: the web client then reloads the run's form
        # (its "To Print" counter); "self" left it at 3 until a reload
        self.assertEqual(action["target"], "new")
        batch = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertEqual(batch.res_model, "dunning.run")
        self.assertEqual(batch.res_id, run.id)
        for letter in letters:
            self.assertIn(letter.name.encode(), batch.raw)
        self.assertRecordValues(
            letters, [{"delivery_state": "done", "printed_date": date(2026, 3, 23)}] * 3
        )
        self.assertEqual(run.to_print_count, 0)
        self.assertIn(letters[0].name, self.customer.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "no letters waiting for printing"):
            run.action_print_letters()

    def test_email_and_letter_is_logged_once(self):
        self.reminder.channel = "email_letter"
        invoice = self._invoice(self.customer, 100.0, "2026-03-01")
        run = self._run("2026-03-22")
        letter = self._letters()
        self._deliver_letters()
        self.assertEqual(len(self._mails(letter)), 1)
        self.assertEqual(letter.delivery_state, "to_print")
        run.action_print_letters()
        self.assertEqual(letter.delivery_state, "done")
        for record in (self.customer, invoice):
            notes = record.message_ids.filtered(lambda m: letter.name in (m.body or ""))
            self.assertEqual(len(notes), 1)

    def test_print_needs_sent_letters(self):
        self.policy.approval_required = True
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._run("2026-03-22")
        with self.assertRaisesRegex(UserError, "Only sent letters can be printed"):
            self._letters().action_print_letters()

    def test_print_batch_is_one_real_pdf_from_one_rendering(self):
        """Real wkhtmltopdf: three letters, one call, one merged PDF, kept per letter."""
        Report = type(self.env["ir.actions.report"])
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed")
        # Styles would be fetched from this test's own server, which waits for
        # the test's transaction: point wkhtmltopdf at a closed port instead.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        self.reminder.channel = "letter"
        partners = self.customer
        for index in range(2):
            partners |= self._create_customer(f"Echt {index} AG")
        for partner in partners:
            self._invoice(partner, 100.0, "2026-03-01")
        for __ in range(45):  # a letter of several pages in the middle of the batch
            self._invoice(partners[1], 10.0, "2026-03-01")
        self._run("2026-03-22")  # the delivery job has not run: no documents yet
        letters = self._letters()
        self.assertEqual(len(letters), 3)
        self.assertEqual(len(letters[1].line_ids), 46)
        self.assertFalse(letters.document_id)
        calls = []
        original = Report._run_wkhtmltopdf

        def counting(report_self, bodies, *args, **kwargs):
            calls.append(len(bodies))
            return original(report_self, bodies, *args, **kwargs)

        with patch.object(Report, "_run_wkhtmltopdf", counting):
            action = letters.with_context(force_report_rendering=True).action_print_letters()
        self.assertEqual(calls, [3], "one wkhtmltopdf call for the three letters")
        batch = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertTrue(batch.raw.startswith(b"%PDF"))
        pages = [self.env["dunning.letter"]._pdf_page_count(doc.raw) for doc in letters.document_id]
        self.assertEqual(len(letters.document_id), 3)
        self.assertTrue(all(doc.raw.startswith(b"%PDF") for doc in letters.document_id))
        self.assertEqual(pages[0], 1)
        self.assertGreater(pages[1], 1)
        # each letter's PDF carries its own first-page mark, and only that one
        for letter in letters:
            self.assertEqual(self._marks(letter.document_id.raw), [quote(letter.name)])
        self.assertEqual(self.env["dunning.letter"]._pdf_page_count(batch.raw), sum(pages))
        # printing again reuses the kept documents: no new rendering
        with patch.object(Report, "_run_wkhtmltopdf", counting):
            letters.with_context(force_report_rendering=True).action_print_letters()
        self.assertEqual(calls, [3])
