"""The claim handed over: its three export formats and the charges it states."""

import csv
import io
import json

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from ..engine import claim_format
from .common import CollectionCommon


@tagged("post_install", "-at_install")
class TestCollectionExport(CollectionCommon):
    def test_export_formats_validate(self):
        invoice, case = self._handed_over_case()
        for fmt in ("json", "xml", "csv"):
            self.agency.export_format = fmt
            with freeze_time("2026-05-03"):
                attachment = case._export("handover")
            claim_format.validate(attachment.raw, fmt)  # raises when invalid
            self.assertEqual(
                attachment.name, f"{case.name.replace('/', '-')}-handover-2026-05-03.{fmt}"
            )
        self.agency.export_format = "xml"
        xml = etree.fromstring(case._export("update").raw)
        ns = {"c": claim_format.XML_NAMESPACE}
        self.assertEqual(xml.get("messageType"), "update")
        self.assertEqual(
            xml.findtext("c:items/c:item/c:invoiceNumber", namespaces=ns), invoice.name
        )
        self.assertEqual(xml.findtext("c:items/c:item/c:principal", namespaces=ns), "1000.00")
        self.assertEqual(xml.findtext("c:debtor/c:address/c:city", namespaces=ns), "Hamburg")
        self.agency.export_format = "csv"
        rows = list(csv.DictReader(io.StringIO(case._export("handover").raw.decode())))
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            (rows[0]["invoice_number"], rows[0]["principal"], rows[0]["fees"], rows[0]["total"]),
            (invoice.name, "1000.00", "2.50", "1002.50"),
        )
        self.assertEqual(tuple(rows[0]), claim_format.CSV_COLUMNS)

    def test_interest_and_flat_fee_in_the_claim(self):
        self.policy.write({"interest_mode": "fixed", "interest_rate": 12.0, "flat_fee_b2b": True})
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        letters = self._letters()
        self._run("2026-05-03")
        case = self._cases()
        line = case.line_ids
        self.assertAlmostEqual(case.amount_interest, sum(letters.mapped("amount_interest")))
        self.assertEqual(case.amount_fees, 42.5)  # 2.50 fee + 40 EUR flat fee (BGB §288(5))
        self.assertEqual(
            [
                (item["date_from"], item["date_to"], item["days"], item["rate"], item["amount"])
                for item in line.interest_data
            ],
            [
                (
                    fields_line.interest_date_from.isoformat(),
                    fields_line.interest_date_to.isoformat(),
                    fields_line.interest_days,
                    fields_line.interest_rate,
                    fields_line.amount_interest,
                )
                for fields_line in letters.line_ids.filtered("amount_interest").sorted(
                    "interest_date_from"
                )
            ],
        )
        self.assertEqual(case.amount_total, 1000.0 + 42.5 + case.amount_interest)
        charges = letters.fee_move_id
        self.assertEqual(case.move_ids, invoice | charges)
        with freeze_time("2026-05-03"):
            case.action_handover()
        data = json.loads(case.export_attachment_id.raw)
        self.assertEqual(data["totals"]["total"], f"{1042.5 + case.amount_interest:.2f}")
        self.assertEqual(data["items"][0]["interest"][0]["principal"], "1000.00")
