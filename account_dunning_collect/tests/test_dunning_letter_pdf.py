"""The letter a debtor receives: DIN 5008 layout, footer, salutation, formats, the real PDF."""

import io
import re

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.dunning_letter_delivery import LETTER_REPORT
from ..tools import letter_pdf
from .common import DunningCommon, load_german

MM = 72 / 25.4  # PDF points per millimetre


def _multiply(first, second):
    """The product of two PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = first
    g, h, i, j, k, m = second
    return [
        a * g + b * i,
        a * h + b * j,
        c * g + d * i,
        c * h + d * j,
        e * g + f * i + k,
        e * h + f * j + m,
    ]


def pdf_runs(content):
    """[(page number, x mm from left, y mm from top, printed size in pt, text)] of a PDF."""
    import pypdf  # a dependency of factur-x, which the addon needs

    runs = []
    reader = pypdf.PdfReader(io.BytesIO(content))
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, number=number, height=height):
            if text.strip():
                __, __, c, d, e, f = _multiply(tm, cm)
                printed = size * (c * c + d * d) ** 0.5
                runs.append((number, e / MM, (height - f) / MM, printed, " ".join(text.split())))

        page.extract_text(visitor_text=visit)
    return runs


def pdf_rules(content):
    """{(page number, y mm from top): (left mm, right mm)} of the horizontal lines drawn.

    Table borders are drawn cell by cell; the pieces on one height are joined:
    a table as wide as the body gives the body's left and right edges.
    """
    import pypdf

    rules = {}
    path = []  # the points of the path being built, in PDF points
    page_at = {}  # the page being read: its number and height

    def visit(operator, operands, cm, tm):
        if operator in (b"m", b"l", b"re"):
            x, y = float(operands[0]), float(operands[1])
            corners = [(x, y)]
            if operator == b"re":
                corners.append((x + float(operands[2]), y + float(operands[3])))
            path.extend(
                (cm[0] * px + cm[2] * py + cm[4], cm[1] * px + cm[3] * py + cm[5])
                for px, py in corners
            )
        elif operator in (b"f", b"f*", b"S", b"B", b"b", b"n"):
            xs = [point[0] / MM for point in path]
            ys = [(page_at["height"] - point[1]) / MM for point in path]
            if operator != b"n" and path and max(ys) - min(ys) < 1:
                key = (page_at["number"], round(min(ys)))
                left, right = rules.get(key, (min(xs), max(xs)))
                rules[key] = (min(left, *xs), max(right, *xs))
            path.clear()

    reader = pypdf.PdfReader(io.BytesIO(content))
    for number, page in enumerate(reader.pages, start=1):
        page_at.update(number=number, height=float(page.mediabox.height))
        path.clear()
        page.extract_text(visitor_operand_before=visit)
    return rules


@tagged("post_install", "-at_install")
class TestDunningLetterPdf(DunningCommon):
    deliver_runs = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_account = cls._company_bank_account("Commerzbank Berlin")
        cls.company.write(
            {
                "name": "Muster Handels GmbH",
                "phone": "+49 30 1234567",
                "website": "https://muster.example",
                "vat": "DE123456788",
                "company_registry": "HRB 123456 B",
                "dunning_register_court": "Amtsgericht Berlin-Charlottenburg",
                "dunning_managing_directors": "Erika Mustermann",
            }
        )
        cls.manager = cls._dunning_user(
            "pdf_manager", "account_dunning_collect.group_dunning_manager"
        )

    def _german(self):
        load_german(self.env)

    def _html(self, letter, report_type="html"):
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            LETTER_REPORT, letter.ids, data={"report_type": report_type}
        )
        return html.decode()

    def _text(self, letter, report_type="html"):
        text = re.sub(r"<[^>]+>", " ", self._html(letter, report_type)).replace("&nbsp;", " ")
        return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\ufeff", ""))

    def _letter(self, partner=None, invoices=1):
        partner = partner or self.customer
        for __ in range(invoices):
            self._invoice(partner, 1234.56, "2026-03-01")
        self._run("2026-03-22")
        return self._letters(partner)[-1]

    # ------------------------------------------------------------------
    # footer, page numbers, formats
    # ------------------------------------------------------------------

    def test_footer_carries_the_legal_data_in_preview(self):
        letter = self._letter()
        self.assertEqual(
            letter._report_footer_columns(),
            (
                ("Muster Handels GmbH", "Hauptstraße 1", "10115 Berlin"),
                (
                    "Registered office: Berlin",
                    "Amtsgericht Berlin-Charlottenburg",
                    "HRB 123456 B",
                    "Managing directors: Erika Mustermann",
                ),
                (
                    "Phone: +49 30 1234567",
                    "buchhaltung@example.com",
                    "muster.example",
                    "VAT ID: DE123456788",
                ),
                (
                    "Commerzbank Berlin",
                    f"IBAN: {self.bank_account.acc_number}",
                    "BIC: COBADEFFXXX",
                ),
            ),
        )
        # the preview shows the footer the PDF gets drawn on each page
        preview = self._text(letter)
        for column in letter._report_footer_columns():
            for line in column:
                self.assertIn(line, preview)
        self.assertNotIn('name="dunning_footer"', self._html(letter, "pdf"))
        # no logo placeholder: the company has Odoo's default logo
        self.assertNotIn('class="o_dl_logo"', self._html(letter))
        self.assertIn('<div class="o_dl_company">Muster Handels GmbH</div>', self._html(letter))

    def test_page_numbers_and_running_header_in_the_letters_language(self):
        letter = self._letter()
        self.assertEqual(letter._report_page_label() % {"page": 1, "pages": 2}, "Page 1 of 2")
        self.assertEqual(letter._report_running_header(), f"Letter {letter.name} of 03/22/2026")
        self._german()
        self.customer.lang = "de_DE"
        self.assertEqual(letter._report_page_label() % {"page": 1, "pages": 2}, "Seite 1 von 2")
        self.assertEqual(letter._report_running_header(), f"Schreiben {letter.name} vom 22.03.2026")
        columns = letter._report_footer_columns()
        self.assertEqual(columns[1][0], "Sitz: Berlin")
        self.assertEqual(columns[1][3], "Geschäftsführung: Erika Mustermann")
        self.assertEqual(columns[2][3], "USt-IdNr.: DE123456788")

    def test_dates_and_amounts_in_the_customers_format(self):
        letter = self._letter()
        invoice_name = letter.line_ids.move_id.name
        text = self._text(letter)
        self.assertIn(f"{invoice_name} 03/01/2026 03/15/2026 7 1,234.56 € 1,234.56 €", text)
        self.assertIn("Date: 03/22/2026", text)
        self._german()
        self.customer.lang = "de_DE"
        text = self._text(letter)
        self.assertIn(f"{invoice_name} 01.03.2026 15.03.2026 7 1.234,56 € 1.234,56 €", text)
        self.assertIn("Datum: 22.03.2026", text)
        # the invoice number is kept on one line (white-space: nowrap)
        self.assertIn(f'<span class="o_dl_number">{invoice_name}</span>', self._html(letter))

    # ------------------------------------------------------------------
    # salutation
    # ------------------------------------------------------------------

    def test_salutations(self):
        letter = self._letter()
        Partner = self.env["res.partner"]
        ms = Partner.create({"name": "Maria Schmidt", "dunning_form_of_address": "ms"})
        mr = Partner.create({"name": "Jonas Peter Werner", "dunning_form_of_address": "mr"})
        person = Partner.create({"name": "Alex Meier"})
        contact_person = Partner.create(
            {
                "name": "Paul Lehmann",
                "parent_id": self.customer.id,
                "type": "contact",
                "dunning_form_of_address": "mr",
            }
        )
        invoice_address = Partner.create(
            {"name": "Buchhaltung", "parent_id": self.customer.id, "type": "invoice"}
        )
        cases = [
            (self.customer, "Dear Sir or Madam,", "Sehr geehrte Damen und Herren,"),
            (invoice_address, "Dear Sir or Madam,", "Sehr geehrte Damen und Herren,"),
            (ms, "Dear Ms Schmidt,", "Sehr geehrte Frau Schmidt,"),
            (mr, "Dear Mr Werner,", "Sehr geehrter Herr Werner,"),
            (contact_person, "Dear Mr Lehmann,", "Sehr geehrter Herr Lehmann,"),
            (person, "Hello Alex Meier,", "Guten Tag Alex Meier,"),
        ]
        for contact, english, __ in cases:
            letter.sudo().delivery_partner_id = contact
            self.assertEqual(letter._report_salutation(), english, contact.name)
        self.assertIn('<p class="o_dunning_salutation">Hello Alex Meier,</p>', self._html(letter))
        self._german()
        self.customer.lang = "de_DE"
        for contact, __, german in cases:
            letter.sudo().delivery_partner_id = contact
            self.assertEqual(letter._report_salutation(), german, contact.name)
        self.assertIn(
            '<p class="o_dunning_salutation">Guten Tag Alex Meier,</p>', self._html(letter)
        )

    # ------------------------------------------------------------------
    # the stored PDF: open it, render anew after a waiver
    # ------------------------------------------------------------------

    def test_letter_pdf_button_downloads_the_document(self):
        self.reminder.channel = "letter"
        letter = self._letter()
        with self.assertRaisesRegex(UserError, "has no PDF yet"):
            letter.action_open_document()
        letter.action_print_letters()
        action = letter.action_open_document()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], f"/web/content/{letter.document_id.id}?download=true")

    def test_print_after_waiver_renders_anew_and_keeps_the_old_pdf(self):
        self.reminder.channel = "letter"
        self.dunning1.channel = "letter"
        self.dunning1.write({"fee_product_id": self.dunning2.fee_product_id.id, "fee_amount": 5.0})
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22", deliver=True)
        self._run("2026-04-05")
        letter = self._letters()[-1]
        self.assertEqual(letter.amount_fee, 5.0)
        with freeze_time("2026-04-06"):
            letter.action_print_letters()
        sent = letter.document_id
        self.assertIn(b"5.00", sent.raw)
        letter.action_print_letters()
        self.assertEqual(letter.document_id, sent, "a reprint shows what was sent")
        letter.with_user(self.manager)._waive_charges("Goodwill")
        self.assertEqual(sent.name, f"{letter.name.replace('/', '_')} (before waiver).pdf")
        self.assertIn(sent, letter.message_ids[0].attachment_ids)
        letter.action_print_letters()
        self.assertTrue(letter.document_id)
        self.assertNotEqual(letter.document_id, sent)
        self.assertEqual(letter.document_id.name, f"{letter.name.replace('/', '_')}.pdf")
        self.assertIn(b"have been waived", letter.document_id.raw)
        self.assertNotIn(b"have been waived", sent.raw)
        self.assertTrue(sent.exists())

    # ------------------------------------------------------------------
    # the real PDF (wkhtmltopdf)
    # ------------------------------------------------------------------

    def test_real_pdf_geometry_text_footer_and_pages(self):
        """Real wkhtmltopdf: DIN 5008 margins, 10-11 pt text, real text, footer on each page."""
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed")
        # styles would be fetched from this test's own server, which waits for
        # the test's transaction: the letter does without them
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        self._german()
        self.customer.lang = "de_DE"
        letter = self._letter(invoices=25)
        content, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(LETTER_REPORT, letter.ids)
        )
        self.assertEqual(report_type, "pdf")
        runs = pdf_runs(content)
        pages = sorted({run[0] for run in runs})
        self.assertEqual(pages, [1, 2])
        text = {page: " ".join(run[4] for run in runs if run[0] == page) for page in pages}
        # real text: the IBAN and the letter number can be read and copied
        self.assertIn("DE89 3704 0044 0532 0130 00", " ".join(text.values()))
        self.assertIn(letter.name, text[1])
        # body: 25 mm from the left, up to 20 mm from the right, 10-11 pt as printed
        body = [run for run in runs if 95 < run[2] < 265]  # below the window, above the footer
        self.assertTrue(body)
        self.assertAlmostEqual(min(run[1] for run in body), 25.0, delta=0.6)
        rules = [
            (left, right)
            for (__, y), (left, right) in pdf_rules(content).items()
            if 95 < y < 265 and right - left > 20  # not the fold marks
        ]
        self.assertTrue(rules)  # the tables' borders, as wide as the body
        self.assertAlmostEqual(min(left for left, __ in rules), 25.0, delta=0.6)
        self.assertAlmostEqual(max(right for __, right in rules), 190.0, delta=0.6)
        self.assertEqual(letter_pdf._fonts()[0], "DunningLetter", "fonts-dejavu-core is missing")
        salutation = next(run for run in runs if run[4].startswith("Sehr geehrte"))
        self.assertTrue(10.0 <= round(salutation[3], 1) <= 11.0, salutation)
        # the window address (DIN 5008 form B): the recipient's lines 62.7-90 mm from the
        # top, 25 mm from the left, the return line above them in the field from 45 mm
        recipient = next(run for run in runs if run[0] == 1 and run[4] == "Musterweg 5")
        self.assertTrue(62.7 < recipient[2] < 90, recipient)
        self.assertAlmostEqual(recipient[1], 25.0, delta=0.6)
        return_line = next(run for run in runs if run[0] == 1 and "Hauptstraße 1 ·" in run[4])
        self.assertTrue(45 < return_line[2] < 50.5, return_line)
        date = next(run for run in runs if run[0] == 1 and run[4] == "22.03.2026")
        self.assertTrue(date[1] > 125, date)  # the information block beside it
        # footer on every page, in the letter's language
        for page in pages:
            self.assertIn(f"Seite {page} von 2", text[page])
            for expected in (
                "Amtsgericht Berlin-Charlottenburg",
                "HRB 123456 B",
                "BIC: COBADEFFXXX",
            ):
                self.assertIn(expected, text[page])
        # from page 2 on: the letter's number and date at the top
        header = next(run for run in runs if run[0] == 2 and run[4].startswith("Schreiben"))
        self.assertEqual(header[4], f"Schreiben {letter.name} vom 22.03.2026")
        self.assertLess(header[2], 15)
        # the bank block never stands alone on a page: the payment request and the
        # closing go along
        self.assertIn("Mit freundlichen Grüßen", text[2])
        if "IBAN" in text[2]:
            self.assertIn("Bitte überweisen Sie", text[2])
