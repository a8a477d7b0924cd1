"""Handover to collection agencies: agencies, cases, exports, delivery, payments."""

import csv
import io
import json
from datetime import date, datetime
from unittest.mock import patch

import requests
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..engine import claim_format
from ..models import collection_case_message
from .common import DunningCommon

MESSAGE = "odoo.addons.account_dunning_collect.models.collection_case_message"


class FakeResponse:
    def __init__(self, status=200, reason="OK"):
        self.status_code = status
        self.reason = reason

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} {self.reason}")


@tagged("post_install", "-at_install")
class CollectionCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency_partner = cls.env["res.partner"].create(
            {
                "name": "Inkasso Nord GmbH",
                "is_company": True,
                "email": "auftrag@inkasso-nord.example",
                "street": "Am Hafen 3",
                "zip": "20457",
                "city": "Hamburg",
                "country_id": cls.env.ref("base.de").id,
            }
        )
        Account = cls.env["account.account"]
        cls.commission_account = Account.search(
            [("company_ids", "in", cls.company.id), ("account_type", "=", "expense")], limit=1
        )
        cls.agency = cls.env["collection.agency"].create(
            {
                "partner_id": cls.agency_partner.id,
                "company_id": cls.company.id,
                "min_amount": 100.0,
                "delay_days": 14,
                "commission_percent": 20.0,
                "expense_account_id": cls.commission_account.id,
                "write_off_account_id": cls.commission_account.id,
                "export_format": "json",
                "delivery": "download",
            }
        )
        cls.agency.action_confirm()
        cls.policy.collection_agency_id = cls.agency
        cls.customer.write({"phone": "+49 40 555123", "ref": "K-1001"})

    def _dun_to_the_end(self, dates=("2026-03-22", "2026-04-05", "2026-04-19")):
        for run_date in dates:
            self._run(run_date)

    def _cases(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["collection.case"].search(domain, order="id")

    def _sync(self, when="2026-05-20 06:00:00"):
        """Run the collection job as Odoo's cron runner does (its own cursor, commits)."""
        if not type(self)._registry_patched:
            self.registry_enter_test_mode()
        with freeze_time(when):
            self.env.ref("account_dunning_collect.ir_cron_collection_sync").method_direct_trigger()
        self.env.invalidate_all()

    def _handed_over_case(self, amount=1000.0):
        """An invoice dunned to the end and handed over on 3 May (49 days after due)."""
        invoice = self._invoice(self.customer, amount, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases(self.customer)
        with freeze_time("2026-05-03"):
            case.action_handover()
        return invoice, case


@tagged("post_install", "-at_install")
class TestCollectionAgency(CollectionCommon):
    def test_partnership_flow(self):
        agency = self.env["collection.agency"].create(
            {"partner_id": self.agency_partner.copy({"name": "Inkasso Süd AG"}).id}
        )
        self.assertEqual(agency.state, "draft")
        with freeze_time("2026-05-01"):
            agency.action_request()
        self.assertRecordValues(agency, [{"state": "requested", "request_date": date(2026, 5, 1)}])
        request = agency.message_ids[0]
        self.assertEqual(
            request.subject, f"{self.company.name}: request for a collection partnership"
        )
        self.assertIn("Hauptstraße 1", request.body)
        self.assertIn(agency.partner_id, request.partner_ids)
        with self.assertRaisesRegex(UserError, "is Requested: it cannot be suspended"):
            agency.action_suspend()
        with freeze_time("2026-05-04"):
            agency.action_confirm()
        self.assertRecordValues(agency, [{"state": "active", "confirm_date": date(2026, 5, 4)}])
        agency.action_suspend()
        self.assertEqual(agency.state, "suspended")
        agency.action_confirm()
        agency.action_terminate()
        self.assertEqual(agency.state, "terminated")
        with self.assertRaisesRegex(UserError, "is Terminated: it cannot be suspended"):
            agency.action_suspend()

    def test_request_needs_an_email(self):
        agency = self.env["collection.agency"].create(
            {"partner_id": self.env["res.partner"].create({"name": "Ohne Mail KG"}).id}
        )
        with self.assertRaisesRegex(UserError, "Ohne Mail KG' has no e-mail address"):
            agency.action_request()
        self.assertEqual(agency.state, "draft")

    def test_settings_validated(self):
        with self.assertRaisesRegex(ValidationError, "commission must lie between 0 and 100"):
            self.agency.commission_percent = 120
        with self.assertRaisesRegex(ValidationError, "delivers by webhook: enter the URL"):
            self.agency.delivery = "webhook"
        self.agency.write({"delivery": "webhook", "webhook_url": "https://agency.example/hook"})
        self.agency.action_suspend()
        with self.assertRaisesRegex(UserError, "enter the shared secret"):
            self.agency.action_confirm()

    def test_collection_level_must_be_last(self):
        with self.assertRaisesRegex(ValidationError, "must be the last level"):
            self.handover_level.write({"sequence": 5, "delay_days": 3})
        with self.assertRaisesRegex(ValidationError, "more than one level of type"):
            self.handover_level.copy({"delay_days": 60, "sequence": 50})


@tagged("post_install", "-at_install")
class TestCollectionRun(CollectionCommon):
    def test_proposal_49_days_after_due(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        self.assertEqual(invoice.dunning_level_id, self.dunning2)
        run = self._run("2026-05-02")
        self.assertFalse(self._cases())
        self.assertEqual(run.case_count, 0)

        run = self._run("2026-05-03")
        case = self._cases()
        self.assertEqual(run.case_count, 1)
        self.assertRecordValues(
            case,
            [
                {
                    "state": "draft",
                    "agency_id": self.agency.id,
                    "partner_id": self.customer.id,
                    "run_id": run.id,
                    "amount_principal": 1000.0,
                    "amount_fees": 2.5,  # the 2nd dunning's fee
                    "amount_interest": 0.0,
                    "amount_total": 1002.5,
                    "handover_date": False,
                }
            ],
        )
        self.assertTrue(case.name.startswith("COL/2026/"))
        charge = self._letters()[-1].fee_move_id
        self.assertEqual(case.move_ids, invoice | charge)
        self.assertRecordValues(
            case.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "principal": 1000.0,
                    "amount_fees": 2.5,
                    "amount_total": 1002.5,
                }
            ],
        )
        self.assertEqual(
            case.line_ids.history_data,
            [
                {
                    "date": "2026-03-22",
                    "delivered": "2026-03-22",
                    "level": "Payment reminder",
                    "channel": "email",
                    "letter": self._letters()[0].name,
                },
                {
                    "date": "2026-04-05",
                    "delivered": "2026-04-05",
                    "level": "1st dunning",
                    "channel": "email",
                    "letter": self._letters()[1].name,
                },
                {
                    "date": "2026-04-19",
                    "delivered": "2026-04-19",
                    "level": "2nd dunning",
                    "channel": "letter",
                    "letter": self._letters()[2].name,
                },
            ],
        )
        self.assertEqual(
            case.line_ids.fees_data,
            [
                {
                    "date": "2026-04-19",
                    "description": f"Dunning fee (2nd dunning, {self._letters()[2].name})",
                    "amount": 2.5,
                }
            ],
        )
        self.assertEqual(invoice.collection_case_id, case)
        self.assertEqual(self.customer.collection_case_id, case)
        self.assertIn("1 cases proposed, 0 handed over", run.log)
        # proposed: not dunned, not proposed twice
        with self.assertNoNewLetters():
            self._run("2026-05-10")
        self.assertEqual(self._cases(), case)

    def test_automatic_handover(self):
        self.agency.auto_handover = True
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        run = self._run("2026-05-03")
        case = self._cases()
        self.assertRecordValues(
            case,
            [{"state": "handed_over", "handover_date": date(2026, 5, 3), "delivery_state": "done"}],
        )
        self.assertIn("0 cases proposed, 1 handed over", run.log)
        self.assertEqual(case.export_attachment_id.mimetype, "application/json")
        data = json.loads(case.export_attachment_id.raw)
        self.assertEqual(data["message_type"], "handover")
        self.assertEqual(data["case_reference"], case.name)
        self.assertEqual(data["handover_date"], "2026-05-03")
        self.assertEqual(data["creditor"]["name"], self.company.name)
        self.assertEqual(
            data["debtor"],
            {
                "name": "Kunde GmbH",
                "is_company": True,
                "reference": "K-1001",
                "vat": "",
                "address": {
                    "street": "Musterweg 5",
                    "street2": "",
                    "zip": "20095",
                    "city": "Hamburg",
                    "country": "DE",
                },
                "email": "rechnung@kunde.example",
                "phone": "+49 40 555123",
            },
        )
        [item] = data["items"]
        self.assertEqual(
            (item["invoice_number"], item["invoice_date"], item["due_date"], item["principal"]),
            (invoice.name, "2026-03-01", "2026-03-15", "1000.00"),
        )
        self.assertEqual(item["description"], "Consulting")
        self.assertEqual(item["total"], "1002.50")
        self.assertEqual(len(item["dunning_history"]), 3)
        self.assertEqual(data["totals"]["open"], "1002.50")
        self.assertIn(case.name, invoice.message_ids[0].body)
        self.assertEqual(case.message_log_ids.message_type, "handover")

    def test_minimum_amount_and_days_after_last_letter(self):
        self.agency.write({"min_amount": 1500.0, "delay_days": 20})
        first = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-09")  # 20 days after the 2nd dunning, but 1000 < 1500
        self.assertFalse(self._cases())
        self.agency.min_amount = 1000.0
        self._run("2026-05-08")  # 19 days after the 2nd dunning
        self.assertFalse(self._cases())
        self._run("2026-05-09")
        self.assertEqual(self._cases().line_ids.move_id, first)

    def test_debtors_items_together_and_later_ones_added_to_the_proposal(self):
        self.agency.min_amount = 1500.0
        first = self._invoice(self.customer, 1000.0, "2026-03-01")
        second = self._invoice(self.customer, 600.0, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases()
        self.assertEqual(case.line_ids.move_id, first | second)
        self.assertEqual(case.amount_principal, 1600.0)
        self.assertEqual(case.amount_fees, 2.5)
        # a later invoice of the debtor reaching the end joins the open proposal
        self.agency.min_amount = 100.0
        third = self._invoice(self.customer, 300.0, "2026-04-01")  # due 15 April
        self._dun_to_the_end(("2026-04-22", "2026-05-06", "2026-05-20"))
        self._run("2026-06-03")
        self.assertEqual(self._cases(), case)
        self.assertEqual(case.line_ids.move_id, first | second | third)
        self.assertEqual(case.amount_principal, 1900.0)
        # each 2nd dunning's fee once: the first two invoices' and the third's
        self.assertEqual(case.amount_fees, 5.0)
        self.assertEqual(len(case.move_ids.filtered("is_dunning_charge")), 2)

    def test_no_handover_without_active_agency_or_under_a_stop(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        other = self._create_customer("Gestoppt AG", email="x@gestoppt.example")
        self._invoice(other, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        other.dunning_stop_reason_id = self.stop_dispute
        self.agency.action_suspend()
        self._run("2026-05-03")
        self.assertFalse(self._cases())
        self.agency.action_confirm()
        self._run("2026-05-04")
        self.assertEqual(self._cases().partner_id, self.customer)

    def test_handed_over_items_not_dunned_until_recalled(self):
        invoice, case = self._handed_over_case()
        newer = self._invoice(self.customer, 200.0, "2026-05-01")  # due 15 May
        self._run("2026-05-22")
        letter = self._letters()[-1]
        self.assertEqual(letter.level_id, self.reminder)
        self.assertEqual(letter.line_ids.move_id, newer)  # the handed-over claims are not listed
        self.assertEqual(letter.amount_total, 200.0)

        wizard = (
            self.env["collection.case.close"]
            .with_context(active_ids=case.ids)
            .create({"mode": "recall", "reason": "Debtor agreed to pay us directly"})
        )
        with freeze_time("2026-05-25"):
            wizard.action_confirm()
        self.assertRecordValues(
            case,
            [
                {
                    "state": "recalled",
                    "close_date": date(2026, 5, 25),
                    "recall_reason": "Debtor agreed to pay us directly",
                }
            ],
        )
        recall = case.message_log_ids.filtered(lambda m: m.message_type == "recall")
        self.assertEqual(json.loads(recall.attachment_id.raw)["message_type"], "recall")
        self.assertFalse(invoice.collection_case_id)
        self._run("2026-06-05")  # 21 days after the newer invoice's due date
        letter = self._letters()[-1]
        charge = self._letters()[2].fee_move_id
        # titled at the highest level its items hold: the recalled invoice's 2nd dunning
        self.assertEqual(letter.level_id, self.dunning2)
        self.assertEqual(letter.amount_fee, 0.0)  # only the newer invoice moved (1st dunning)
        self.assertEqual(letter.line_ids.move_id, invoice | newer | charge)
        self.assertEqual(letter.amount_total, 1202.5)
        # a recalled invoice is not proposed again by the run
        self._run("2026-06-30")
        self.assertEqual(self._cases(), case)

    def test_manual_proposal_from_invoices(self):
        invoice = self._invoice(self.customer, 500.0, "2026-03-01")
        action = invoice.action_collection_propose()
        case = self.env["collection.case"].search(action["domain"])
        self.assertRecordValues(
            case, [{"state": "draft", "partner_id": self.customer.id, "amount_principal": 500.0}]
        )
        with self.assertRaises(ValidationError) as refused:  # rolls the refused case back
            self.env["collection.case"].create(
                {
                    "agency_id": self.agency.id,
                    "partner_id": self.customer.id,
                    "currency_id": self.company.currency_id.id,
                    "move_ids": [(6, 0, invoice.ids)],
                }
            )
        self.assertIn(
            f"{invoice.name} already belong to the open collection case {case.name}",
            str(refused.exception),
        )
        self.assertEqual(self.env["collection.case"].search([]), case)
        case.action_cancel_proposal()
        self.assertFalse(case.exists())
        self.assertFalse(invoice.collection_case_id)


@tagged("post_install", "-at_install")
class TestCollectionHandover(CollectionCommon):
    def test_refused_when_agency_not_active(self):
        invoice = self._invoice(self.customer, 500.0, "2026-03-01")
        case = self.env["collection.case"].browse(
            invoice.action_collection_propose()["domain"][0][2]
        )
        self.agency.action_suspend()
        with self.assertRaisesRegex(UserError, "Inkasso Nord GmbH' is not active"):
            case.action_handover()
        self.assertEqual(case.state, "draft")
        self.assertFalse(case.message_log_ids)

    def test_refused_without_address(self):
        partner = self._create_customer("Adresslos GmbH", email="a@b.example", address=False)
        invoice = self._invoice(partner, 500.0, "2026-03-01")
        case = self.env["collection.case"].browse(
            invoice.action_collection_propose()["domain"][0][2]
        )
        with self.assertRaisesRegex(
            UserError, r"Adresslos GmbH has no complete address \(missing: street, ZIP, city\)"
        ):
            case.action_handover()
        self.assertRecordValues(case, [{"state": "draft", "export_attachment_id": False}])
        self.assertIn("missing: street, ZIP, city", case.problem)  # shown in the proposals list
        partner.write({"street": "Neue Straße 1", "zip": "10115", "city": "Berlin"})
        self.assertFalse(case.problem)
        with freeze_time("2026-05-20"):
            case.action_handover()
        self.assertRecordValues(
            case, [{"state": "handed_over", "handover_date": date(2026, 5, 20)}]
        )

    def test_auto_handover_without_address_stays_proposed(self):
        self.agency.auto_handover = True
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        self.customer.street = False  # moved away after the letters reached it
        run = self._run("2026-05-03")
        case = self._cases()
        self.assertEqual(case.state, "draft")
        self.assertIn("Kunde GmbH has no complete address (missing: street)", case.problem)
        self.assertIn("missing: street", run.log)

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
class TestCollectionDelivery(CollectionCommon):
    def setUp(self):
        super().setUp()
        self.agency.sudo().write(
            {
                "delivery": "webhook",
                "webhook_url": "https://agency.example/claims",
                "webhook_secret": "s3cret",
            }
        )

    def test_webhook_signed(self):
        calls = []

        def post(url, data=None, headers=None, timeout=None):
            calls.append((url, data, headers, timeout))
            return FakeResponse(202, "Accepted")

        __, case = self._handed_over_case()
        self.assertEqual(case.message_log_ids.state, "pending")
        with patch.object(requests, "post", post):
            self._sync("2026-05-03 08:00:00")
        [(url, body, headers, timeout)] = calls
        self.assertEqual(url, "https://agency.example/claims")
        self.assertEqual(body, case.export_attachment_id.raw)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["X-Dunning-Event"], "handover")
        self.assertTrue(claim_format.verify(body, "s3cret", headers["X-Dunning-Signature"]))
        self.assertFalse(claim_format.verify(body, "wrong", headers["X-Dunning-Signature"]))
        self.assertEqual(timeout, collection_case_message.WEBHOOK_TIMEOUT)
        self.assertRecordValues(
            case.message_log_ids,
            [{"state": "done", "attempts": 0, "response": "202 Accepted", "error": False}],
        )

    @mute_logger(MESSAGE)
    def test_webhook_failure_retried_then_failed(self):
        __, case = self._handed_over_case()
        message = case.message_log_ids

        def down(*args, **kwargs):
            raise requests.ConnectionError("agency.example: connection refused")

        with patch.object(requests, "post", down):
            self._sync("2026-05-03 08:00:00")
        self.assertRecordValues(
            message,
            [
                {
                    "state": "pending",
                    "attempts": 1,
                    "error": "agency.example: connection refused",
                    "next_attempt": datetime(2026, 5, 3, 8, 5),
                }
            ],
        )
        self.assertEqual(case.state, "handed_over")
        with patch.object(requests, "post", down):
            self._sync("2026-05-03 08:04:00")  # not yet due again
            self.assertEqual(message.attempts, 1)
            for minute in ("08:05", "08:15", "08:35", "09:15", "10:35"):
                self._sync(f"2026-05-03 {minute}:00")
        self.assertRecordValues(message, [{"state": "failed", "attempts": 6}])
        self.assertIn("could not be delivered", case.message_ids[0].body)
        self.assertEqual(case.state, "handed_over")  # nothing lost: the file stays on the case
        with freeze_time("2026-05-04 07:00:00"):
            message.action_retry()
        with patch.object(requests, "post", lambda *a, **k: FakeResponse(200)):
            self._sync("2026-05-04 08:00:00")
        self.assertRecordValues(message, [{"state": "done", "attempts": 0}])

    def test_http_error_is_a_failure(self):
        __, case = self._handed_over_case()
        with (
            mute_logger(MESSAGE),
            patch.object(requests, "post", lambda *a, **k: FakeResponse(500, "Server Error")),
        ):
            self._sync("2026-05-03 08:00:00")
        self.assertRecordValues(
            case.message_log_ids,
            [
                {
                    "state": "pending",
                    "attempts": 1,
                    "response": "500 Server Error",
                    "error": "the agency's server answered 500 Server Error",
                }
            ],
        )

    def test_email_delivery(self):
        self.agency.write({"delivery": "email", "delivery_email": "claims@inkasso-nord.example"})
        __, case = self._handed_over_case()
        self._sync("2026-05-03 08:00:00")
        mail = self.env["mail.mail"].search(
            [("model", "=", "collection.case"), ("res_id", "=", case.id)]
        )
        self.assertEqual(mail.email_to, "claims@inkasso-nord.example")
        self.assertEqual(mail.subject, f"New collection case {case.name}: Kunde GmbH")
        self.assertEqual(mail.attachment_ids, case.export_attachment_id)
        self.assertEqual(case.message_log_ids.state, "done")


@tagged("post_install", "-at_install")
class TestCollectionPayments(CollectionCommon):
    def _remit(self, case, amount, **values):
        wizard = (
            self.env["collection.remittance"]
            .with_context(default_case_id=case.id)
            .create({"amount": amount, "date": "2026-06-10", **values})
        )
        wizard.action_confirm()
        return wizard

    def test_full_remittance_with_commission(self):
        invoice, case = self._handed_over_case()
        charge = case.move_ids - invoice
        wizard = self._remit(case, 1002.5, reference="Abrechnung 06/2026")
        self.assertEqual((wizard.commission, wizard.amount_net), (200.5, 802.0))
        payment = case.payment_ids.payment_id
        self.assertRecordValues(
            case.payment_ids,
            [{"kind": "agency", "amount": 1002.5, "commission": 200.5, "date": date(2026, 6, 10)}],
        )
        self.assertEqual(payment.amount, 802.0)
        self.assertEqual(payment.partner_id, self.customer)
        lines = payment.move_id.line_ids.sorted("balance")
        receivable = self._receivable_lines(invoice).account_id
        self.assertRecordValues(
            lines,
            [
                {"account_id": receivable.id, "balance": -1002.5},
                {"account_id": self.commission_account.id, "balance": 200.5},
                {"account_id": payment.outstanding_account_id.id, "balance": 802.0},
            ],
        )
        self.assertEqual(lines[1].partner_id, self.agency_partner)
        self.assertEqual((invoice.amount_residual, charge.amount_residual), (0.0, 0.0))
        self.assertRecordValues(
            case,
            [
                {
                    "state": "paid",
                    "amount_collected": 1002.5,
                    "amount_commission": 200.5,
                    "amount_open": 0.0,
                }
            ],
        )

    def test_partial_remittance_pays_charges_first(self):
        invoice, case = self._handed_over_case()
        charge = case.move_ids - invoice
        self._remit(case, 500.0)
        self.assertEqual(charge.amount_residual, 0.0)  # BGB §367: costs first
        self.assertEqual(invoice.amount_residual, 502.5)
        self.assertRecordValues(
            case,
            [{"state": "partially_paid", "amount_collected": 500.0, "amount_open": 502.5}],
        )
        self.assertEqual(case.payment_ids.commission, 100.0)

    def test_remittance_larger_than_open_refused(self):
        __, case = self._handed_over_case()
        payments_before = self.env["account.payment"].search_count([])
        with self.assertRaisesRegex(
            UserError, r"remittance of 2,000.00\s€ is larger than what is open on collection case"
        ):
            self._remit(case, 2000.0)
        self.assertEqual(self.env["account.payment"].search_count([]), payments_before)
        self.assertEqual(case.state, "handed_over")

    def test_commission_needs_expense_account(self):
        __, case = self._handed_over_case()
        self.agency.expense_account_id = False
        with self.assertRaisesRegex(UserError, "has no commission expense account"):
            self._remit(case, 500.0)

    def test_direct_payment_during_the_case(self):
        invoice, case = self._handed_over_case()
        self._pay(invoice, 300.0, "2026-05-15")
        self._sync("2026-05-16 06:00:00")
        self.assertRecordValues(
            case.payment_ids, [{"kind": "direct", "amount": 300.0, "date": date(2026, 5, 16)}]
        )
        self.assertEqual(case.state, "partially_paid")
        update = case.message_log_ids.filtered(lambda m: m.message_type == "update")
        data = json.loads(update.attachment_id.raw)
        self.assertEqual(
            data["payments"],
            [{"date": "2026-05-16", "amount": "300.00", "reference": case.payment_ids.reference}],
        )
        self.assertTrue(case.payment_ids.reference)
        self.assertEqual(data["totals"]["paid"], "300.00")
        self.assertEqual(data["totals"]["open"], "702.50")
        self.assertIn(
            f"The debtor paid 300.00&nbsp;€ directly ({case.payment_ids.reference})",
            "".join(case.message_ids.mapped("body")),
        )
        # nothing new: no second update
        self._sync("2026-05-17 06:00:00")
        self.assertEqual(len(case.message_log_ids), 2)
        # the rest paid directly: the case is settled
        self._pay(invoice, 700.0, "2026-05-20")
        self._pay(case.move_ids - invoice, 2.5, "2026-05-20")  # the dunning fee
        self._sync("2026-05-21 06:00:00")
        self.assertEqual(case.state, "paid")
        self.assertEqual(case.amount_collected, 1002.5)

    def test_write_off_the_rest(self):
        invoice, case = self._handed_over_case()
        charge = case.move_ids - invoice
        self._remit(case, 500.0)
        wizard = (
            self.env["collection.case.close"]
            .with_context(active_ids=case.ids)
            .create({"mode": "write_off", "reason": "Debtor insolvent", "date": "2026-07-01"})
        )
        self.assertEqual(wizard.account_id, self.commission_account)
        wizard.action_confirm()
        move = case.write_off_move_id
        receivable = self._receivable_lines(invoice).account_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.date, date(2026, 7, 1))
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {"account_id": receivable.id, "balance": -502.5},
                {"account_id": self.commission_account.id, "balance": 502.5},
            ],
        )
        self.assertEqual((invoice.amount_residual, charge.amount_residual), (0.0, 0.0))
        self.assertRecordValues(
            case,
            [
                {
                    "state": "written_off",
                    "amount_written_off": 502.5,
                    "write_off_reason": "Debtor insolvent",
                    "close_date": date(2026, 7, 1),
                }
            ],
        )
        with self.assertRaisesRegex(UserError, "is Written Off: it cannot be recalled"):
            case._recall("too late")

    def test_write_off_corrects_the_vat(self):
        """UStG §17: the open gross amount is written off net, with the invoice's VAT."""
        tax = self.company_data["default_tax_sale"]
        self.assertEqual((tax.amount, tax.amount_type, tax.price_include), (19.0, "percent", False))
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-03-01",
                "invoice_payment_term_id": self.term_14.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Schulung",
                            "price_unit": 1000.0,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 1190.0)
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases()
        with freeze_time("2026-05-03"):
            case.action_handover()
        self._remit(case, 500.0)  # 2.50 fee first, 497.50 on the invoice
        self.assertEqual(invoice.amount_residual, 692.5)
        wizard = (
            self.env["collection.case.close"]
            .with_context(active_ids=case.ids)
            .create({"mode": "write_off", "reason": "Insolvent", "date": "2026-07-01"})
        )
        wizard.action_confirm()
        move = case.write_off_move_id
        receivable = self._receivable_lines(invoice).account_id
        tax_line = move.line_ids.filtered("tax_line_id")
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {"account_id": receivable.id, "balance": -692.5, "tax_line_id": False},
                {"account_id": tax_line.account_id.id, "balance": 110.57, "tax_line_id": tax.id},
                {"account_id": self.commission_account.id, "balance": 581.93, "tax_line_id": False},
            ],
        )
        self.assertEqual(move.line_ids.filtered("tax_ids").tax_ids, tax)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(case.amount_written_off, 692.5)


@tagged("post_install", "-at_install")
class TestCollectionAccess(CollectionCommon):
    def test_dunning_user_hands_over_in_bulk(self):
        other = self._create_customer("Zweite GmbH", email="z@zweite.example")
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._invoice(other, 800.0, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-03")
        cases = self._cases()
        self.assertEqual(len(cases), 2)
        clerk = self._dunning_user(
            "clerk", "account.group_account_invoice", "account_dunning_collect.group_dunning_user"
        )
        with freeze_time("2026-05-04"):
            cases.with_user(clerk).action_handover()
        self.assertEqual(cases.mapped("state"), ["handed_over", "handed_over"])
        self.assertEqual(cases.mapped("handover_date"), [date(2026, 5, 4)] * 2)

    def test_multi_company(self):
        other_company = self.setup_other_company()["company"]
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases()
        user = self._dunning_user(
            "other_clerk",
            "account.group_account_invoice",
            "account_dunning_collect.group_dunning_user",
        )
        user.write({"company_ids": [(6, 0, other_company.ids)], "company_id": other_company.id})
        self.assertFalse(self.env["collection.case"].with_user(user).search([("id", "=", case.id)]))
        self.assertFalse(
            self.env["collection.agency"].with_user(user).search([("id", "=", self.agency.id)])
        )
        other_policy = other_company.dunning_policy_id
        with self.assertRaises(UserError):
            other_policy.collection_agency_id = self.agency
