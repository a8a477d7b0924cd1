"""Handing a proposed case over: what stops it, and who may do it."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CollectionCommon


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
