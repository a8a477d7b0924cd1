"""Collection agencies: the partnership, its settings, and the messages cases send them."""

import time
from datetime import date, datetime
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from ..engine import claim_format
from ..models import collection_case_message
from .common import CollectionCommon

MESSAGE = "odoo.addons.account_dunning_collect.models.collection_case_message"


class FakeResponse:
    def __init__(self, status=200, reason="OK"):
        self.status_code = status
        self.reason = reason

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} {self.reason}")


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

    def test_sync_keeps_one_time_budget_per_wake_up(self):
        """ir.cron calls the hourly job again while messages are left: the payments
        are matched once per wake-up, and the messages go out while the wake-up's
        budget (half the real-time limit of 120 s) lasts, however often it is called."""
        __, case = self._handed_over_case()
        message = case.message_log_ids
        messages = message | message.copy() | message.copy()
        messages.write({"state": "pending", "next_attempt": datetime(2026, 5, 3, 8, 0)})
        self.registry_enter_test_mode()
        cron = self.env.ref("account_dunning_collect.ir_cron_collection_sync")
        Case = type(self.env["collection.case"])
        original = Case._sync_payments
        synced = []

        def counted_sync(cases):
            synced.append(len(cases))
            return original(cases)

        with (
            freeze_time("2026-05-03 08:00:00") as clock,
            patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": -1}),
            patch.object(Case, "_sync_payments", counted_sync),
        ):

            def slow_post(*args, **kwargs):
                clock.tick(25)  # the agency's server takes 25 seconds to answer
                return FakeResponse(202, "Accepted")

            with patch.object(requests, "post", slow_post):
                woke_up = time.monotonic()
                cron.method_direct_trigger()
                # two messages (50 s); a third would end after the 60 s budget
                self.assertEqual(time.monotonic() - woke_up, 50)
                self.env.invalidate_all()
                self.assertEqual(messages.mapped("state"), ["done", "done", "pending"])
                self.assertEqual(synced, [1])  # ir.cron called again: not matched again
                cron.method_direct_trigger()  # the next wake-up sends the last one
        self.env.invalidate_all()
        self.assertEqual(messages.mapped("state"), ["done", "done", "done"])
        self.assertEqual(synced, [1, 1])

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
