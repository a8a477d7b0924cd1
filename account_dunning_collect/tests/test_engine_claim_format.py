"""The collection handover data, its formats, schemas and signature, without a database."""

import csv
import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from unittest import TestCase

from lxml import etree

from ..engine.claim_format import (
    CSV_COLUMNS,
    Claim,
    ClaimItem,
    DunningEvent,
    Fee,
    Interest,
    Party,
    Payment,
    export,
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
    fees=(Fee(date(2026, 4, 19), "Dunning fee (2nd dunning)", Decimal("2.50")),),
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
            [{"date": "2026-04-19", "description": "Dunning fee (2nd dunning)", "amount": "2.50"}],
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
                    "amount": "10.02",
                }
            ],
        )
        self.assertEqual(
            [e["level"] for e in item["dunning_history"]],
            ["Payment reminder", "1st dunning", "2nd dunning"],
        )
        self.assertIsNone(data["items"][1]["due_date"])
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
            rows[0]["interest_detail"], "2026-03-16..2026-05-03 49 days 6.27 % on 1190.00: 10.02"
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
                },
            ],
        )
        self.assertIn(b",'@SUM(A1:A9),-12.50,0.00,,0.00,,-12.50,\n", content)

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
