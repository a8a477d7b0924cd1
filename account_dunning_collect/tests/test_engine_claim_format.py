"""The collection handover data, its formats, schemas and signature, without a database."""

import csv
import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from unittest import TestCase

from lxml import etree

from ..engine.claim_charges import FEE_DUNNING, FEE_FLAT, FEE_OPEN_REST
from ..engine.claim_format import (
    CSV_COLUMNS,
    SCHEMA_VERSION,
    Claim,
    ClaimItem,
    DunningEvent,
    Fee,
    Interest,
    InvoiceDefault,
    Party,
    Payment,
    ReminderLine,
    export,
    invoice_default,
    sign,
    validate,
    verify,
)

CREDITOR = Party(
    name="Muster Handels GmbH",
    street="Friedrichstraße 123",
    zip="10117",
    city="Berlin",
    country_code="DE",
    email="buchhaltung@muster.example",
    phone="+49 30 1234567",
    vat="DE123456788",
)
DEBTOR = Party(
    name="Anna Lange",
    street="Lindenweg 5",
    zip="20095",
    city="Hamburg",
    country_code="DE",
    email="anna@lange.example",
    reference="C-0042",
    is_company=False,
)
ITEM = ClaimItem(
    number="RE/2026/00017",
    invoice_date=date(2026, 3, 1),
    due_date=date(2026, 3, 15),
    description="Schulung (Tag) - Ihre Bestellung vom 20.02.2026",
    principal=Decimal("1190.00"),
    fees=(Fee(date(2026, 4, 19), "Dunning fee (2nd dunning)", Decimal("2.50"), FEE_DUNNING),),
    interest=(
        Interest(
            principal=Decimal("1190.00"),
            rate="6.27 %",
            date_from=date(2026, 3, 16),
            date_to=date(2026, 5, 3),
            days=49,
            amount=Decimal("10.02"),
        ),
    ),
    history=(
        DunningEvent(date(2026, 3, 22), "Payment reminder", "email", "DUN/2026/00001"),
        DunningEvent(date(2026, 4, 5), "1st dunning", "email", "DUN/2026/00007"),
        DunningEvent(date(2026, 4, 19), "2nd dunning", "letter", "DUN/2026/00015"),
    ),
    # due 15.03. by the calendar: in default since 16.03., the reminder of 22.03. is a real one
    default=InvoiceDefault(date(2026, 3, 16), "calendar", date(2026, 3, 22)),
)
CLAIM = Claim(
    reference="COL/2026/00001",
    message_type="handover",
    handover_date=date(2026, 5, 3),
    currency="EUR",
    creditor=CREDITOR,
    debtor=DEBTOR,
    items=(
        ITEM,
        ClaimItem("RE/2026/00020", date(2026, 3, 5), None, "Ersatzteile", Decimal("64.50")),
    ),
)
XML_DEFAULT_TAGS = ("defaultDate", "defaultReason", "defaultLegalBasis", "firstReminderDate")


class TestEngineClaimFormat(TestCase):
    def test_totals(self):
        self.assertEqual(ITEM.amount_total, Decimal("1202.52"))
        self.assertEqual(CLAIM.amount_principal, Decimal("1254.50"))
        self.assertEqual(CLAIM.amount_fees, Decimal("2.50"))
        self.assertEqual(CLAIM.amount_interest, Decimal("10.02"))
        self.assertEqual(CLAIM.amount_total, Decimal("1267.02"))

    def test_json_carries_what_rdg_13a_asks_and_validates(self):
        content, extension, mimetype = export(CLAIM, "json")
        self.assertEqual((extension, mimetype), ("json", "application/json"))
        validate(content, "json")
        data = json.loads(content)
        self.assertEqual(
            data["debtor"]["address"],
            {
                "street": "Lindenweg 5",
                "street2": "",
                "zip": "20095",
                "city": "Hamburg",
                "country": "DE",
            },
        )
        self.assertFalse(data["debtor"]["is_company"])
        item = data["items"][0]
        self.assertEqual(item["principal"], "1190.00")
        self.assertEqual(
            item["fees"],
            [
                {
                    "date": "2026-04-19",
                    "description": "Dunning fee (2nd dunning)",
                    "amount": "2.50",
                    "kind": "dunning_fee",
                    "credited_against_collection_costs": False,
                }
            ],
        )
        self.assertEqual(
            item["interest"],
            [
                {
                    "principal": "1190.00",
                    "rate": "6.27 %",
                    "date_from": "2026-03-16",
                    "date_to": "2026-05-03",
                    "days": 49,
                    "day_count": "act_365",
                    "amount": "10.02",
                }
            ],
        )
        self.assertEqual(
            (
                item["default_date"],
                item["default_reason"],
                item["default_legal_basis"],
                item["first_reminder_date"],
            ),
            ("2026-03-16", "calendar", "BGB 286(2) no. 1", "2026-03-22"),
        )
        self.assertEqual(data["schema_version"], "1.1")
        self.assertEqual(
            [e["level"] for e in item["dunning_history"]],
            ["Payment reminder", "1st dunning", "2nd dunning"],
        )
        self.assertIsNone(data["items"][1]["due_date"])
        self.assertEqual(
            [data["items"][1][key] for key in ("default_date", "default_reason")], [None, None]
        )
        self.assertEqual(
            data["totals"],
            {
                "principal": "1254.50",
                "fees": "2.50",
                "interest": "10.02",
                "total": "1267.02",
                "paid": "0.00",
                "open": "1267.02",
            },
        )

    def test_json_schema_rejects_a_broken_document(self):
        data = json.loads(export(CLAIM, "json")[0])
        data["items"][0]["principal"] = "1190"  # not two decimals
        with self.assertRaisesRegex(ValueError, "items/0/principal"):
            validate(json.dumps(data).encode(), "json")
        del data["debtor"]
        with self.assertRaisesRegex(ValueError, "debtor"):
            validate(json.dumps(data).encode(), "json")

    def test_xml_validates_against_the_xsd(self):
        content, extension, __ = export(CLAIM, "xml")
        self.assertEqual(extension, "xml")
        validate(content, "xml")
        root = etree.fromstring(content)
        ns = {"c": "urn:account-dunning-collect:collection-claim:1"}
        self.assertEqual(root.get("messageType"), "handover")
        self.assertEqual(root.findtext("c:debtor/c:address/c:city", namespaces=ns), "Hamburg")
        self.assertEqual(
            root.findtext("c:items/c:item/c:interest/c:period/c:rate", namespaces=ns), "6.27 %"
        )
        self.assertEqual(
            len(root.findall("c:items/c:item/c:dunningHistory/c:letter", namespaces=ns)), 3
        )
        self.assertEqual(root.findtext("c:totals/c:total", namespaces=ns), "1267.02")
        broken = content.replace(b"<principal>1190.00</principal>", b"<principal>x</principal>", 1)
        with self.assertRaises(ValueError):
            validate(broken, "xml")

    def test_csv_has_the_documented_columns(self):
        content, extension, __ = export(CLAIM, "csv")
        self.assertEqual(extension, "csv")
        validate(content, "csv")
        rows = list(csv.DictReader(io.StringIO(content.decode())))
        self.assertEqual(tuple(rows[0]), CSV_COLUMNS)
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0]["fees"], "2.50")
        self.assertEqual(rows[0]["interest"], "10.02")
        self.assertEqual(rows[0]["total"], "1202.52")
        self.assertEqual(
            rows[0]["interest_detail"],
            "2026-03-16..2026-05-03 49 days 6.27 % act_365 on 1190.00: 10.02",
        )
        self.assertEqual(
            [
                rows[0][column]
                for column in (
                    "default_date",
                    "default_reason",
                    "default_legal_basis",
                    "first_reminder_date",
                    "fees_credited",
                )
            ],
            ["2026-03-16", "calendar", "BGB 286(2) no. 1", "2026-03-22", "0.00"],
        )
        self.assertTrue(rows[0]["dunning_history"].startswith("2026-03-22 Payment reminder"))
        self.assertEqual(rows[1]["due_date"], "")

    def test_csv_text_cells_cannot_run_as_formulas(self):
        """OWASP CSV injection: a text cell starting = + - @ tab or CR gets a leading quote."""
        debtor = replace(
            DEBTOR,
            name='=HYPERLINK("http://x","y")',
            street="+1 Harbour Road",
            zip="\r20095",
            city="\tHamburg",
            email="@lange.example",
            phone="+49 40 555123",
        )
        claim = replace(
            CLAIM,
            debtor=debtor,
            items=(
                ClaimItem(
                    "-RE/2026/00017", date(2026, 3, 1), None, "@SUM(A1:A9)", Decimal("-12.50")
                ),
                ClaimItem(
                    "RE/2026/00020", date(2026, 3, 5), None, "Teile - Lager", Decimal("64.50")
                ),
            ),
        )
        content = export(claim, "csv")[0]
        validate(content, "csv")
        rows = list(csv.DictReader(io.StringIO(content.decode())))
        self.assertEqual(
            rows,
            [
                {
                    "case_reference": "COL/2026/00001",
                    "message_type": "handover",
                    "handover_date": "2026-05-03",
                    "currency": "EUR",
                    "creditor_name": "Muster Handels GmbH",
                    "creditor_vat": "DE123456788",
                    "debtor_reference": "C-0042",
                    "debtor_name": '\'=HYPERLINK("http://x","y")',
                    "debtor_is_company": "0",
                    "debtor_street": "'+1 Harbour Road",
                    "debtor_zip": "'\r20095",
                    "debtor_city": "'\tHamburg",
                    "debtor_country": "DE",
                    "debtor_email": "'@lange.example",
                    "debtor_phone": "'+49 40 555123",
                    "invoice_number": "'-RE/2026/00017",
                    "invoice_date": "2026-03-01",
                    "due_date": "",
                    "description": "'@SUM(A1:A9)",
                    "principal": "-12.50",  # an amount: a number, not neutralised
                    "fees": "0.00",
                    "fees_detail": "",
                    "interest": "0.00",
                    "interest_detail": "",
                    "total": "-12.50",
                    "dunning_history": "",
                    "default_date": "",
                    "default_reason": "",
                    "default_legal_basis": "",
                    "first_reminder_date": "",
                    "fees_credited": "0.00",
                },
                {
                    "case_reference": "COL/2026/00001",
                    "message_type": "handover",
                    "handover_date": "2026-05-03",
                    "currency": "EUR",
                    "creditor_name": "Muster Handels GmbH",
                    "creditor_vat": "DE123456788",
                    "debtor_reference": "C-0042",
                    "debtor_name": '\'=HYPERLINK("http://x","y")',
                    "debtor_is_company": "0",
                    "debtor_street": "'+1 Harbour Road",
                    "debtor_zip": "'\r20095",
                    "debtor_city": "'\tHamburg",
                    "debtor_country": "DE",
                    "debtor_email": "'@lange.example",
                    "debtor_phone": "'+49 40 555123",
                    "invoice_number": "RE/2026/00020",
                    "invoice_date": "2026-03-05",
                    "due_date": "",
                    "description": "Teile - Lager",
                    "principal": "64.50",
                    "fees": "0.00",
                    "fees_detail": "",
                    "interest": "0.00",
                    "interest_detail": "",
                    "total": "64.50",
                    "dunning_history": "",
                    "default_date": "",
                    "default_reason": "",
                    "default_legal_basis": "",
                    "first_reminder_date": "",
                    "fees_credited": "0.00",
                },
            ],
        )
        self.assertIn(b",'@SUM(A1:A9),-12.50,0.00,,0.00,,-12.50,,,,,,0.00\n", content)

    def test_xml_leaves_out_characters_xml_does_not_allow(self):
        """Control characters in a name no longer break the XML export (tab, LF, CR stay)."""
        claim = replace(
            CLAIM,
            debtor=replace(DEBTOR, name="Anna\x01 Lange\x0b", street="Linden\x00weg 5\x1f"),
            items=(replace(ITEM, description="Schulung\x08\n2 Tage\tvor Ort\r\ufffe"),),
        )
        content = export(claim, "xml")[0]
        validate(content, "xml")
        root = etree.fromstring(content)
        ns = {"c": "urn:account-dunning-collect:collection-claim:1"}
        self.assertEqual(root.findtext("c:debtor/c:name", namespaces=ns), "Anna Lange")
        self.assertEqual(root.findtext("c:debtor/c:address/c:street", namespaces=ns), "Lindenweg 5")
        self.assertEqual(
            root.findtext("c:items/c:item/c:description", namespaces=ns),
            "Schulung\n2 Tage\tvor Ort\r",
        )
        self.assertEqual(root.findtext("c:creditor/c:name", namespaces=ns), "Muster Handels GmbH")
        # the other formats keep the text as it is
        self.assertEqual(json.loads(export(claim, "json")[0])["debtor"]["name"], claim.debtor.name)

    def test_update_message_with_a_direct_payment(self):
        update = Claim(
            **{
                **CLAIM.__dict__,
                "message_type": "update",
                "payments": (Payment(date(2026, 5, 10), Decimal("500.00"), "bank transfer"),),
            }
        )
        content = export(update, "json")[0]
        validate(content, "json")
        data = json.loads(content)
        self.assertEqual(data["message_type"], "update")
        self.assertEqual(data["totals"]["paid"], "500.00")
        self.assertEqual(data["totals"]["open"], "767.02")
        validate(export(update, "xml")[0], "xml")
        with self.assertRaises(ValueError):
            export(Claim(**{**CLAIM.__dict__, "message_type": "gossip"}), "json")

    def test_signature_verifies_with_the_secret_only(self):
        payload = export(CLAIM, "json")[0]
        signature = sign(payload, "s3cret")
        self.assertTrue(signature.startswith("sha256="))
        self.assertEqual(len(signature), len("sha256=") + 64)
        self.assertTrue(verify(payload, "s3cret", signature))
        self.assertFalse(verify(payload, "other", signature))
        self.assertFalse(verify(payload + b" ", "s3cret", signature))
        self.assertFalse(verify(payload, "s3cret", ""))

    def test_flat_fee_is_credited_against_collection_costs(self):
        """BGB §288(5) sentence 3: each format says so, the agency does not claim it twice."""
        item = replace(
            ITEM,
            fees=(
                Fee(date(2026, 4, 5), "Flat fee BGB §288(5)", Decimal("40.00"), FEE_FLAT),
                Fee(date(2026, 4, 19), "Dunning fee (2nd dunning)", Decimal("2.50"), FEE_DUNNING),
                Fee(date(2026, 4, 26), "Open rest of C/1", Decimal("1.25"), FEE_OPEN_REST),
            ),
        )
        claim = replace(CLAIM, items=(item,))
        data = json.loads(export(claim, "json")[0])
        validate(json.dumps(data).encode(), "json")
        self.assertEqual(
            [
                (fee["kind"], fee["amount"], fee["credited_against_collection_costs"])
                for fee in data["items"][0]["fees"]
            ],
            [
                ("flat_fee", "40.00", True),
                ("dunning_fee", "2.50", False),
                ("open_rest", "1.25", False),
            ],
        )
        content = export(claim, "xml")[0]
        validate(content, "xml")
        ns = {"c": "urn:account-dunning-collect:collection-claim:1"}
        fees = etree.fromstring(content).findall("c:items/c:item/c:fees/c:fee", namespaces=ns)
        self.assertEqual(
            [
                (
                    fee.findtext("c:kind", namespaces=ns),
                    fee.findtext("c:creditedAgainstCollectionCosts", namespaces=ns),
                )
                for fee in fees
            ],
            [("flat_fee", "true"), ("dunning_fee", "false"), ("open_rest", "false")],
        )
        row = next(csv.DictReader(io.StringIO(export(claim, "csv")[0].decode())))
        self.assertEqual(row["fees"], "43.75")
        self.assertEqual(row["fees_credited"], "40.00")
        self.assertEqual(
            row["fees_detail"],
            "2026-04-05 Flat fee BGB §288(5) 40.00 (credited against collection costs, BGB "
            "288(5) sentence 3); 2026-04-19 Dunning fee (2nd dunning) 2.50; "
            "2026-04-26 Open rest of C/1 1.25",
        )

    def test_fee_of_unknown_kind(self):
        """A fee recorded before 1.1 has no kind: the export says it does not know."""
        fee = Fee(date(2026, 4, 19), "Dunning fee (2nd dunning)", Decimal("2.50"))
        self.assertIsNone(fee.credited_against_collection_costs)
        claim = replace(CLAIM, items=(replace(ITEM, fees=(fee,)),))
        content = export(claim, "json")[0]
        validate(content, "json")
        self.assertEqual(
            json.loads(content)["items"][0]["fees"][0],
            {
                "date": "2026-04-19",
                "description": "Dunning fee (2nd dunning)",
                "amount": "2.50",
                "kind": None,
                "credited_against_collection_costs": None,
            },
        )
        content = export(claim, "xml")[0]
        validate(content, "xml")
        self.assertNotIn(b"<kind>", content)
        self.assertNotIn(b"creditedAgainstCollectionCosts", content)
        with self.assertRaisesRegex(ValueError, "unknown fee kind 'late_fee'"):
            Fee(date(2026, 4, 19), "Late fee", Decimal("5.00"), "late_fee")

    def test_interest_says_its_day_count(self):
        interest = Interest(
            principal=Decimal("24466.00"),
            rate="12.62 %",
            date_from=date(2024, 1, 1),
            date_to=date(2024, 6, 30),
            days=182,
            amount=Decimal("1535.37"),
            day_count="act_act",
        )
        claim = replace(CLAIM, items=(replace(ITEM, interest=(interest,)),))
        content = export(claim, "json")[0]
        validate(content, "json")
        self.assertEqual(json.loads(content)["items"][0]["interest"][0]["day_count"], "act_act")
        content = export(claim, "xml")[0]
        validate(content, "xml")
        ns = {"c": "urn:account-dunning-collect:collection-claim:1"}
        self.assertEqual(
            etree.fromstring(content).findtext(
                "c:items/c:item/c:interest/c:period/c:dayCount", namespaces=ns
            ),
            "act_act",
        )
        row = next(csv.DictReader(io.StringIO(export(claim, "csv")[0].decode())))
        self.assertEqual(
            row["interest_detail"],
            "2024-01-01..2024-06-30 182 days 12.62 % act_act on 24466.00: 1535.37",
        )
        with self.assertRaisesRegex(ValueError, "unknown day count '30_360'"):
            replace(interest, day_count="30_360")

    def test_default_in_xml_and_without_one(self):
        content = export(CLAIM, "xml")[0]
        root = etree.fromstring(content)
        ns = {"c": "urn:account-dunning-collect:collection-claim:1"}
        first, second = root.findall("c:items/c:item", namespaces=ns)
        self.assertEqual(
            [
                first.findtext(f"c:{tag}", namespaces=ns)
                for tag in (
                    "defaultDate",
                    "defaultReason",
                    "defaultLegalBasis",
                    "firstReminderDate",
                )
            ],
            ["2026-03-16", "calendar", "BGB 286(2) no. 1", "2026-03-22"],
        )
        # no letter stated a default: the elements are left out
        self.assertIsNone(second.find("c:defaultDate", namespaces=ns))
        self.assertIsNone(second.find("c:firstReminderDate", namespaces=ns))
        self.assertEqual(root.get("schemaVersion"), SCHEMA_VERSION)
        # the reason goes with the day, in the XSD as in the engine
        broken = content.replace(b"<defaultReason>calendar</defaultReason>", b"", 1)
        with self.assertRaises(ValueError):
            validate(broken, "xml")
        with self.assertRaisesRegex(ValueError, "goes with its reason"):
            InvoiceDefault(date(2026, 3, 16))
        with self.assertRaisesRegex(ValueError, "unknown default reason 'invoice'"):
            InvoiceDefault(date(2026, 3, 16), "invoice")

    def test_json_schema_holds_the_new_fields(self):
        data = json.loads(export(CLAIM, "json")[0])
        for path, value, error in (
            (("schema_version",), "1.0", "schema_version"),
            (("items", 0, "default_reason"), "late", "items/0/default_reason"),
            (("items", 0, "default_legal_basis"), "BGB 288", "items/0/default_legal_basis"),
            (("items", 0, "first_reminder_date"), "22.03.2026", "items/0/first_reminder_date"),
            (("items", 0, "interest", 0, "day_count"), "30_360", "items/0/interest/0/day_count"),
            (
                ("items", 0, "fees", 0, "credited_against_collection_costs"),
                "yes",
                "items/0/fees/0/credited_against_collection_costs",
            ),
        ):
            broken = json.loads(json.dumps(data))
            node = broken
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            with self.subTest(path=path), self.assertRaisesRegex(ValueError, error):
                validate(json.dumps(broken).encode(), "json")


def reminder(day, delivered=None, default_date=None, reason=None, overdue=True):
    """A line of a sent letter of ``day`` about the invoice (dates as (month, day) of 2025)."""
    return ReminderLine(
        date=date(2025, *day),
        delivered=date(2025, *delivered) if delivered else None,
        overdue=overdue,
        default_date=date(2025, *default_date) if default_date else None,
        default_reason=reason,
    )


class TestEngineInvoiceDefault(TestCase):
    """The first day of default and the first real reminder of an invoice due 15.05.2025."""

    def test_the_reminder_that_caused_default(self):
        """Delivered 22.05., received 25.05., in default since 26.05. (§286(1))."""
        lines = [
            reminder((5, 22), delivered=(5, 22)),
            reminder((6, 5), delivered=(6, 5), default_date=(5, 26), reason="reminder"),
            reminder((6, 19), delivered=(6, 19), default_date=(5, 26), reason="reminder"),
        ]
        result = invoice_default(lines)
        self.assertEqual(result, InvoiceDefault(date(2025, 5, 26), "reminder", date(2025, 5, 22)))
        self.assertEqual(result.legal_basis, "BGB 286(1)")

    def test_first_dunned_after_thirty_days(self):
        """No letter before 10.07.: in default since 15.06. (§286(3)), reminded 10.07."""
        result = invoice_default(
            [reminder((7, 10), delivered=(7, 10), default_date=(6, 15), reason="thirty_days")]
        )
        self.assertEqual(
            result, InvoiceDefault(date(2025, 6, 15), "thirty_days", date(2025, 7, 10))
        )
        self.assertEqual(result.legal_basis, "BGB 286(3)")

    def test_a_payment_reminder_before_default_that_did_not_cause_it(self):
        """Dated 22.05. but delivered only 13.06.: §286(3) came first, on 15.06."""
        lines = [
            reminder((5, 22), delivered=(6, 13)),
            reminder((6, 27), delivered=(6, 27), default_date=(6, 15), reason="thirty_days"),
        ]
        self.assertEqual(
            invoice_default(lines),
            InvoiceDefault(date(2025, 6, 15), "thirty_days", date(2025, 6, 27)),
        )
        # without the later letter there is no real reminder
        self.assertEqual(
            invoice_default(
                [reminder((5, 22), delivered=(6, 13), default_date=(6, 15), reason="thirty_days")]
            ),
            InvoiceDefault(date(2025, 6, 15), "thirty_days", None),
        )

    def test_due_date_agreed_by_the_calendar(self):
        """In default since 16.05.: the first letter, dated after it, is a real reminder."""
        self.assertEqual(
            invoice_default(
                [reminder((5, 22), delivered=(5, 23), default_date=(5, 16), reason="calendar")]
            ),
            InvoiceDefault(date(2025, 5, 16), "calendar", date(2025, 5, 22)),
        )

    def test_only_delivered_letters_listing_the_invoice_as_overdue_count(self):
        lines = [
            reminder((5, 10), delivered=(5, 10), overdue=False),  # listed as not yet due
            reminder((6, 20), default_date=(6, 15), reason="thirty_days"),  # never delivered
            reminder((7, 4), delivered=(7, 8), default_date=(6, 15), reason="thirty_days"),
        ]
        self.assertEqual(
            invoice_default(lines),
            InvoiceDefault(date(2025, 6, 15), "thirty_days", date(2025, 7, 4)),
        )

    def test_no_default_stated(self):
        """A reminder delivered, but no letter said since when the debtor is in default."""
        self.assertEqual(invoice_default([reminder((5, 22), delivered=(5, 22))]), InvoiceDefault())
        self.assertEqual(invoice_default([]), InvoiceDefault())
        self.assertIsNone(InvoiceDefault().legal_basis)

    def test_the_earliest_default_of_the_invoice_items(self):
        """Installments: the invoice is in default since its first item is, for that reason."""
        lines = [
            reminder((7, 10), delivered=(7, 10), default_date=(6, 15), reason="thirty_days"),
            reminder((7, 10), delivered=(7, 10), default_date=(7, 15), reason="reminder"),
        ]
        self.assertEqual(
            invoice_default(lines),
            InvoiceDefault(date(2025, 6, 15), "thirty_days", date(2025, 7, 10)),
        )

    def test_a_reminder_delivered_on_the_day_default_began_did_not_cause_it(self):
        """Default by reminder since 26.05.; a delivery that day cannot have caused it."""
        lines = [
            reminder((5, 20), delivered=(5, 26)),
            reminder((6, 5), delivered=(6, 5), default_date=(5, 26), reason="reminder"),
        ]
        self.assertEqual(
            invoice_default(lines), InvoiceDefault(date(2025, 5, 26), "reminder", date(2025, 6, 5))
        )
