import importlib.util
import re
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .. import post_init_hook
from ..tools.einvoice import import_facturx
from .common import DunningCommon, load_german

CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


@tagged("post_install", "-at_install")
class TestDunningChargeXml(DunningCommon):
    """The Factur-X/ZUGFeRD XML of every kind of charge invoice passes the XSD and says
    why it carries no VAT: category O (outside the scope), not subject to VAT."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what the EN 16931 and XRechnung rules ask of a seller beyond the address
        # (BR-CO-26, BR-DE-1, BR-DE-6): an identifier (here the commercial register
        # number, BT-30), phone, a (trusted) bank account
        cls.company.write(
            {"vat": "DE123456788", "company_registry": "HRB 12345 B", "phone": "+49 30 1234567"}
        )
        cls.customer.vat = "DE811907980"
        cls._company_bank_account()

    def _cii(self, move):
        """Odoo's CII XML of ``move``: XSD-checked, returned parsed."""
        xml, errors = self.env["account.edi.xml.cii"]._export_invoice(move)
        facturx = import_facturx()
        # the level the XML declares (Odoo's: extended) and EN 16931 itself
        for level in ("autodetect", "en16931"):
            self.assertTrue(facturx.xml_check_xsd(xml, flavor="factur-x", level=level), level)
        # nor does Odoo's own check of its export find anything
        self.assertEqual(errors, set())
        return etree.fromstring(xml)

    def _assert_outside_scope(self, move, line_amounts):
        tree = self._cii(move)
        lines = tree.findall(".//ram:IncludedSupplyChainTradeLineItem", CII)
        self.assertEqual(
            [line.findtext(".//ram:LineTotalAmount", namespaces=CII) for line in lines],
            line_amounts,
        )
        for line in lines:
            tax = line.find("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax", CII)
            self.assertEqual(tax.findtext("ram:TypeCode", namespaces=CII), "VAT")
            self.assertEqual(tax.findtext("ram:CategoryCode", namespaces=CII), "O")
            # BR-O-05: an item outside the scope of VAT carries no rate
            self.assertIsNone(tax.find("ram:RateApplicablePercent", CII))
        # BR-O-02: no VAT identifier of either party; the seller's register number
        # identifies it (BR-CO-26)
        agreement = tree.find(".//ram:ApplicableHeaderTradeAgreement", CII)
        self.assertFalse(agreement.findall(".//ram:SpecifiedTaxRegistration", CII))
        self.assertEqual(
            agreement.findtext(
                "ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=CII
            ),
            "HRB 12345 B",
        )
        settlement = tree.find(".//ram:ApplicableHeaderTradeSettlement", CII)
        taxes = settlement.findall("ram:ApplicableTradeTax", CII)
        self.assertEqual(len(taxes), 1)
        total = f"{sum(float(amount) for amount in line_amounts):.2f}"
        self.assertEqual(
            {child.tag.split("}")[1]: child.text for child in taxes[0]},
            {
                "CalculatedAmount": "0.00",
                "TypeCode": "VAT",
                "ExemptionReason": "Not subject to VAT",
                "BasisAmount": total,
                "CategoryCode": "O",
                "ExemptionReasonCode": "VATEX-EU-O",
                "DueDateTypeCode": "5",
                "RateApplicablePercent": "0.0",
            },
        )
        summation = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", CII)
        self.assertEqual(summation.findtext("ram:TaxTotalAmount", namespaces=CII), "0.00")
        self.assertEqual(summation.findtext("ram:GrandTotalAmount", namespaces=CII), total)
        # the delivery job's own check of the XML Odoo embeds finds nothing to note
        letter = self.env["dunning.letter"].search([("fee_move_id", "=", move.id)])
        documents, problems = letter._invoice_documents(move)
        self.assertEqual(problems, {})
        self.assertTrue(documents[move.id])

    def test_fee_invoice(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        fee = self._letters()[-1].fee_move_id
        self.assertRecordValues(fee, [{"amount_total": 2.5, "invoice_date": date(2026, 4, 19)}])
        self._assert_outside_scope(fee, ["2.50"])

    def test_interest_invoice(self):
        self.policy.write({"interest_mode": "statutory", "default_basis": "due_date"})
        self._invoice(self.customer, 1000.0, "2025-05-01")
        self._run("2025-09-01")
        interest = self._letters().fee_move_id
        self.assertRecordValues(
            interest, [{"amount_total": 31.93, "invoice_date": date(2025, 9, 1)}]
        )
        self._assert_outside_scope(interest, ["31.93"])

    def test_flat_fee_invoice(self):
        self.policy.flat_fee_b2b = True
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._invoice(self.customer, 200.0, "2026-03-01")
        self._run("2026-03-22")
        self._run("2026-04-05")
        flat_fee = self._letters()[-1].fee_move_id
        self.assertRecordValues(
            flat_fee, [{"amount_total": 80.0, "invoice_date": date(2026, 4, 5)}]
        )
        self._assert_outside_scope(flat_fee, ["40.00", "40.00"])

    def test_vat_id_kept_without_another_seller_identifier(self):
        """Without the register number the VAT ID is the seller's only identifier: it
        stays (BR-CO-26 before BR-O-02); the lines still carry no rate."""
        self.company.company_registry = False
        self._invoice(self.customer, 1000.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        tree = self._cii(self._letters()[-1].fee_move_id)
        seller = tree.find(".//ram:SellerTradeParty", CII)
        self.assertEqual(
            seller.findtext("ram:SpecifiedTaxRegistration/ram:ID", namespaces=CII), "DE123456788"
        )
        self.assertFalse(
            tree.findall(".//ram:SpecifiedLineTradeSettlement//ram:RateApplicablePercent", CII)
        )

    def test_other_invoices_unchanged(self):
        """An invoice with VAT keeps Odoo's XML: its rates and both VAT identifiers."""
        vat = self.company_data["default_tax_sale"]
        product = self.env["product.product"].create({"name": "Beratung", "type": "service"})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-03-01",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": product.id, "price_unit": 100.0, "tax_ids": vat.ids}
                    )
                ],
            }
        )
        invoice.action_post()
        tree = self._cii(invoice)
        self.assertEqual(
            tree.findtext(
                ".//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
                "/ram:RateApplicablePercent",
                namespaces=CII,
            ),
            "19.0",
        )
        self.assertEqual(len(tree.findall(".//ram:SpecifiedTaxRegistration", CII)), 2)


@tagged("post_install", "-at_install")
class TestDunningChargeTax(DunningCommon):
    """The 0 % tax of charge invoices: set up per company, chosen in Settings, checked."""

    def _charge_tax(self):
        return self.company.dunning_charge_tax_id

    @contextmanager
    def _refused(self, pattern):
        """A ValidationError matching ``pattern``, its change rolled back (as
        assertRaises does, unlike assertRaisesRegex)."""
        with self.assertRaises(ValidationError) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def test_set_up_with_the_chart(self):
        tax = self._charge_tax()
        self.assertRecordValues(
            tax,
            [
                {
                    "name": "Not Taxable (Damages, UStAE 1.3)",
                    "invoice_label": "Not taxable (damages)",
                    "company_id": self.company.id,
                    "country_id": self.env.ref("base.de").id,
                    "type_tax_use": "sale",
                    "amount_type": "percent",
                    "amount": 0.0,
                    "price_include": False,
                    "active": True,
                    "ubl_cii_tax_category_code": "O",
                    "ubl_cii_tax_exemption_reason_code": "VATEX-EU-O",
                }
            ],
        )
        self.assertIn("not subject to VAT (UStAE 1.3)", tax.invoice_legal_notes)
        # SKR03's group of 0 % taxes ("USt 0%")
        self.assertEqual(
            tax.tax_group_id,
            self.env["account.chart.template"].with_company(self.company).ref("tax_group_0"),
        )
        # damages are no turnover: no line of the VAT return, no tax account
        repartition = tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids
        self.assertEqual(len(repartition), 4)
        self.assertFalse(repartition.tag_ids)
        self.assertFalse(repartition.account_id)

    def test_every_charge_line_carries_it(self):
        """1,000.00 due 2026-03-15, in default from the 16th, B2B interest 10.27 % (base
        rate 1.27 + 9): the reminder charges the flat fee and 7 days of interest (1.97),
        the 1st dunning 14 days (3.94), the 2nd the 2.50 fee and 14 more days -- each line
        with the tax, to the cent what it charged before."""
        self.policy.write(
            {"interest_mode": "statutory", "default_basis": "due_date", "flat_fee_b2b": True}
        )
        self._invoice(self.customer, 1000.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        tax = self._charge_tax()
        charged = zip(self._letters(), ([40.0, 1.97], [3.94], [2.5, 3.94]), strict=True)
        for letter, amounts in charged:
            charge = letter.fee_move_id
            self.assertRecordValues(
                charge.invoice_line_ids,
                [
                    {"price_subtotal": amount, "price_total": amount, "tax_ids": tax.ids}
                    for amount in amounts
                ],
            )
            total = round(sum(amounts), 2)
            self.assertRecordValues(
                charge, [{"amount_untaxed": total, "amount_tax": 0.0, "amount_total": total}]
            )
            self.assertIn("UStAE 1.3", charge.taxes_legal_notes)
            # no tax line; the receivable is the total
            self.assertFalse(charge.line_ids.filtered("tax_line_id"))
            self.assertEqual(charge.line_ids.filtered("debit").debit, total)

    def test_on_demand_takes_the_same_tax_again(self):
        tax = self._charge_tax()
        self.company.dunning_charge_tax_id = False
        self._invoice(self.customer, 1000.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        self.assertEqual(self._charge_tax(), tax)
        self.assertEqual(self._letters()[-1].fee_move_id.invoice_line_ids.tax_ids, tax)
        self.assertEqual(
            self.env["account.tax"].search_count(
                [("company_id", "=", self.company.id), ("name", "=", tax.name)]
            ),
            1,
        )

    def test_install_and_upgrade_set_up_companies_with_a_chart(self):
        tax = self._charge_tax()
        without_chart = self.env["res.company"].create({"name": "Ohne Kontenplan GmbH"})
        self.company.dunning_charge_tax_id = False
        post_init_hook(self.env)
        self.assertEqual(self._charge_tax(), tax)
        self.assertFalse(without_chart.dunning_charge_tax_id)

        self.company.dunning_charge_tax_id = False
        self.env.flush_all()
        path = Path(__file__).parents[1] / "migrations" / "19.0.1.7.0" / "post-migrate.py"
        spec = importlib.util.spec_from_file_location("fx_post_migrate", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "19.0.1.6.0")
        self.env.invalidate_all()
        self.assertEqual(self._charge_tax(), tax)
        self.assertFalse(without_chart.dunning_charge_tax_id)

    def test_branch_uses_its_parent_company_tax(self):
        branch = self.env["res.company"].create(
            {"name": "Filiale Hamburg", "parent_id": self.company.id}
        )
        branch._dunning_ensure_charge_tax()
        self.assertEqual(branch.dunning_charge_tax_id, self._charge_tax())

    def test_settings_choose_another_0_percent_sales_tax(self):
        other = self._charge_tax().copy({"name": "Nicht steuerbar (Schadensersatz)"})
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        self.assertEqual(settings.dunning_charge_tax_id, self._charge_tax())
        settings.dunning_charge_tax_id = other
        settings.save().execute()
        self.assertEqual(self._charge_tax(), other)

    def test_unfit_taxes_are_refused(self):
        tax = self._charge_tax()
        vat = self.company_data["default_tax_sale"]
        with self._refused(
            f"'{re.escape(vat.display_name)}' is the tax on dunning charges of "
            f"{self.company.name} and must be a percentage of 0 %"
        ):
            self.company.dunning_charge_tax_id = vat
        purchase = tax.copy({"name": "0 % Einkauf", "type_tax_use": "purchase"})
        with self._refused("must be a sales tax"):
            self.company.dunning_charge_tax_id = purchase
        other_company = self.setup_other_company(name="Andere GmbH")["company"]
        self.assertTrue(other_company.dunning_charge_tax_id)
        with self._refused(
            "belongs to Andere GmbH and cannot be the tax on dunning charges of "
            f"{self.company.name}"
        ):
            self.company.dunning_charge_tax_id = other_company.dunning_charge_tax_id
        self.assertEqual(self._charge_tax(), tax)
        # nor can the tax itself be changed into one
        with self._refused("percentage of 0 %"):
            tax.amount = 19.0
        with self._refused("cannot be archived"):
            tax.active = False
        self.assertRecordValues(tax, [{"amount": 0.0, "active": True}])

    def test_german_texts(self):
        load_german(self.env)
        company = self.env["res.company"].create(
            {"name": "Deutsch GmbH", "country_id": self.env.ref("base.de").id}
        )
        tax = company._dunning_charge_tax().with_context(lang="de_DE")
        self.assertEqual(tax.name, "Nicht steuerbar (Schadensersatz, UStAE 1.3)")
        self.assertEqual(tax.invoice_label, "nicht steuerbar (Schadensersatz)")
        self.assertIn("nicht umsatzsteuerbar (UStAE 1.3)", tax.invoice_legal_notes)
