"""The claim handed over: its three export formats and the charges it states."""

import csv
import io
import json
from datetime import date

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


@tagged("post_install", "-at_install")
class TestCollectionExportDefault(CollectionCommon):
    """The first day of default, the first real reminder, the day count and the flat fee's
    credit in the claim: issue 15's examples, 1,000.00 EUR due 15.05.2025, levels at 7, 21,
    35 and 49 days, a business debtor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write(
            {
                "default_basis": "statutory",
                "interest_mode": "statutory",
                "flat_fee_b2b": True,
                "allocate_payments": False,
            }
        )

    def _due_may_15(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-05-01")
        self.assertEqual(invoice.invoice_date_due, date(2025, 5, 15))
        return invoice

    def _export(self, case, export_format):
        self.agency.export_format = export_format
        content = case._export("handover").raw
        claim_format.validate(content, export_format)
        return content

    def _hand_over(self, handover_date):
        case = self._cases(self.customer)
        self.assertEqual(len(case), 1)
        with freeze_time(handover_date):
            case.action_handover()
        return case

    def test_the_reminder_that_caused_default(self):
        """Reminded 22.05., received 25.05.: in default since 26.05. (§286(1))."""
        invoice = self._due_may_15()
        for run_date in ("2025-05-22", "2025-06-05", "2025-06-19", "2025-07-03"):
            self._run(run_date)
        case = self._hand_over("2025-07-03")
        self.assertRecordValues(
            case.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "default_date": date(2025, 5, 26),
                    "default_reason": "reminder",
                    "first_reminder_date": date(2025, 5, 22),
                }
            ],
        )
        item = json.loads(self._export(case, "json"))["items"][0]
        self.assertEqual(
            {key: item[key] for key in DEFAULT_KEYS},
            {
                "default_date": "2025-05-26",
                "default_reason": "reminder",
                "default_legal_basis": "BGB 286(1)",
                "first_reminder_date": "2025-05-22",
            },
        )
        self.assertEqual(
            [
                (fee["date"], fee["kind"], fee["amount"], fee["credited_against_collection_costs"])
                for fee in item["fees"]
            ],
            [
                ("2025-06-05", "flat_fee", "40.00", True),
                ("2025-06-19", "dunning_fee", "2.50", False),
            ],
        )
        # interest from the first day of default, by 365
        self.assertEqual(
            [
                (i["date_from"], i["date_to"], i["days"], i["day_count"], i["amount"])
                for i in item["interest"]
            ],
            [
                ("2025-05-26", "2025-06-05", 11, "act_365", "3.40"),
                ("2025-06-06", "2025-06-19", 14, "act_365", "4.32"),
            ],
        )
        ns = {"c": claim_format.XML_NAMESPACE}
        xml_item = etree.fromstring(self._export(case, "xml")).find("c:items/c:item", ns)
        self.assertEqual(
            [
                xml_item.findtext(f"c:{tag}", namespaces=ns)
                for tag in (
                    "defaultDate",
                    "defaultReason",
                    "defaultLegalBasis",
                    "firstReminderDate",
                )
            ],
            ["2025-05-26", "reminder", "BGB 286(1)", "2025-05-22"],
        )
        self.assertEqual(
            [
                fee.findtext("c:creditedAgainstCollectionCosts", namespaces=ns)
                for fee in xml_item.findall("c:fees/c:fee", ns)
            ],
            ["true", "false"],
        )
        self.assertEqual(
            [
                p.findtext("c:dayCount", namespaces=ns)
                for p in xml_item.findall("c:interest/c:period", ns)
            ],
            ["act_365", "act_365"],
        )
        row = next(csv.DictReader(io.StringIO(self._export(case, "csv").decode())))
        self.assertEqual(
            [row[key] for key in (*DEFAULT_KEYS, "fees", "fees_credited")],
            ["2025-05-26", "reminder", "BGB 286(1)", "2025-05-22", "42.50", "40.00"],
        )

    def test_first_dunned_after_thirty_days(self):
        """First dunned 10.07.: in default since 15.06. (§286(3)), first reminder 10.07."""
        self._due_may_15()
        for run_date in ("2025-07-10", "2025-07-24", "2025-08-07", "2025-08-21"):
            self._run(run_date)
        case = self._hand_over("2025-08-21")
        item = json.loads(self._export(case, "json"))["items"][0]
        self.assertEqual(
            {key: item[key] for key in DEFAULT_KEYS},
            {
                "default_date": "2025-06-15",
                "default_reason": "thirty_days",
                "default_legal_basis": "BGB 286(3)",
                "first_reminder_date": "2025-07-10",
            },
        )
        # the flat fee with the very first letter: the debtor was in default already
        self.assertEqual(
            [(fee["date"], fee["kind"], fee["amount"]) for fee in item["fees"]],
            [("2025-07-10", "flat_fee", "40.00"), ("2025-08-07", "dunning_fee", "2.50")],
        )
        self.assertEqual(
            [(i["date_from"], i["date_to"], i["amount"]) for i in item["interest"]],
            [
                ("2025-06-15", "2025-07-10", "7.75"),
                ("2025-07-11", "2025-07-24", "3.94"),
                ("2025-07-25", "2025-08-07", "3.94"),
            ],
        )

    def test_a_payment_reminder_before_default_that_did_not_cause_it(self):
        """The reminder of 22.05. reached the debtor only on 13.06.: §286(3) put him in
        default first, on 15.06.; the first real reminder is the letter of 27.06."""
        self._due_may_15()
        reminder = self._run("2025-05-22", deliver=False).letter_ids
        self._mark_delivered(reminder, "2025-06-13")
        for run_date in ("2025-06-27", "2025-07-11", "2025-07-25"):
            self._run(run_date)
        case = self._hand_over("2025-07-25")
        self.assertRecordValues(
            case.line_ids,
            [
                {
                    "default_date": date(2025, 6, 15),
                    "default_reason": "thirty_days",
                    "first_reminder_date": date(2025, 6, 27),
                }
            ],
        )
        self.assertEqual(
            [event["date"] for event in case.line_ids.history_data],
            ["2025-05-22", "2025-06-27", "2025-07-11"],
        )

    def test_act_act_day_count(self):
        self.policy.interest_day_count = "act_act"
        self._due_may_15()
        for run_date in ("2025-05-22", "2025-06-05", "2025-06-19", "2025-07-03"):
            self._run(run_date)
        case = self._hand_over("2025-07-03")
        self.assertEqual(
            [(i["day_count"], i["amount"]) for i in case.line_ids.interest_data],
            [("act_act", 3.40), ("act_act", 4.32)],  # 2025 has 365 days
        )
        item = json.loads(self._export(case, "json"))["items"][0]
        self.assertEqual([i["day_count"] for i in item["interest"]], ["act_act", "act_act"])

    def test_no_default_stated(self):
        """Handed over by hand after a reminder only: no letter said since when."""
        invoice = self._due_may_15()
        self._run("2025-05-22")
        case = self.env["collection.case"]._propose(
            self.agency, self.customer, self.company.currency_id, invoice
        )
        self.assertRecordValues(
            case.line_ids,
            [{"default_date": False, "default_reason": False, "first_reminder_date": False}],
        )
        item = json.loads(self._export(case, "json"))["items"][0]
        self.assertEqual({key: item[key] for key in DEFAULT_KEYS}, dict.fromkeys(DEFAULT_KEYS))
        self.assertIsNone(
            etree.fromstring(self._export(case, "xml")).find(
                "c:items/c:item/c:defaultDate", {"c": claim_format.XML_NAMESPACE}
            )
        )

    def test_the_handover_brings_the_first_reminder_up_to_date(self):
        """Proposed by hand while the first letter (10.07.) waited for delivery: once
        delivered, the handover names it the first reminder."""
        invoice = self._due_may_15()
        letter = self._run("2025-07-10", deliver=False).letter_ids
        case = self.env["collection.case"]._propose(
            self.agency, self.customer, self.company.currency_id, invoice
        )
        # a sent letter states the default; not delivered, it is no reminder yet
        self.assertRecordValues(
            case.line_ids,
            [
                {
                    "default_date": date(2025, 6, 15),
                    "default_reason": "thirty_days",
                    "first_reminder_date": False,
                }
            ],
        )
        self._mark_delivered(letter, "2025-07-14")
        with freeze_time("2025-07-15"):
            case.action_handover()
        self.assertRecordValues(
            case.line_ids,
            [
                {
                    "default_date": date(2025, 6, 15),
                    "default_reason": "thirty_days",
                    "first_reminder_date": date(2025, 7, 10),
                }
            ],
        )
        self.assertEqual(
            json.loads(case.export_attachment_id.raw)["items"][0]["first_reminder_date"],
            "2025-07-10",
        )

    def test_a_case_built_before_schema_1_1(self):
        """Its fees do not say what they are: the export says it does not know."""
        self._due_may_15()
        for run_date in ("2025-05-22", "2025-06-05", "2025-06-19", "2025-07-03"):
            self._run(run_date)
        case = self._hand_over("2025-07-03")
        line = case.line_ids
        line.sudo().write(
            {
                "fees_data": [
                    {key: fee[key] for key in ("date", "description", "amount")}
                    for fee in line.fees_data
                ],
                "interest_data": [
                    {key: value for key, value in item.items() if key != "day_count"}
                    for item in line.interest_data
                ],
            }
        )
        item = json.loads(self._export(case, "json"))["items"][0]
        self.assertEqual(
            [(fee["kind"], fee["credited_against_collection_costs"]) for fee in item["fees"]],
            [(None, None), (None, None)],
        )
        # before the day count was recorded, interest was divided by 365
        self.assertEqual([i["day_count"] for i in item["interest"]], ["act_365", "act_365"])
        self._export(case, "xml")


DEFAULT_KEYS = ("default_date", "default_reason", "default_legal_basis", "first_reminder_date")
XML_DEFAULT_TAGS = ("defaultDate", "defaultReason", "defaultLegalBasis", "firstReminderDate")
