"""Proposing collection cases: what the run (or the user) proposes, when, and with what."""

import json
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CollectionCommon, load_german


@tagged("post_install", "-at_install")
class TestCollectionProposal(CollectionCommon):
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
                    "level_id": self.reminder.id,
                    "channel": "email",
                    "letter": self._letters()[0].name,
                },
                {
                    "date": "2026-04-05",
                    "delivered": "2026-04-05",
                    "level": "1st dunning",
                    "level_id": self.dunning1.id,
                    "channel": "email",
                    "letter": self._letters()[1].name,
                },
                {
                    "date": "2026-04-19",
                    "delivered": "2026-04-19",
                    "level": "2nd dunning",
                    "level_id": self.dunning2.id,
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
                    "kind": "dunning_fee",
                }
            ],
        )
        letters = self._letters()
        # shown in the reader's format, channels by their labels (they read
        # "2026-03-22  Payment reminder (email, ..." in any language)
        self.assertEqual(
            case.line_ids.history.splitlines(),
            [
                f"03/22/2026  Payment reminder (E-mail, {letters[0].name}, delivered 03/22/2026)",
                f"04/05/2026  1st dunning (E-mail, {letters[1].name}, delivered 04/05/2026)",
                f"04/19/2026  2nd dunning (Letter (post), {letters[2].name}, delivered 04/19/2026)",
            ],
        )
        self.assertEqual(
            case.line_ids.fees_detail,
            f"04/19/2026  Dunning fee (2nd dunning, {letters[2].name}): 2.50\xa0€",
        )
        load_german(self.env)
        german = case.line_ids.with_context(lang="de_DE")
        # the level's name as the reader reads it (the claim keeps the one of the handover)
        self.dunning2.with_context(lang="de_DE").name = "2. Mahnung"
        self.assertEqual(
            german.history.splitlines()[2],
            f"19.04.2026  2. Mahnung (Brief (Post), {letters[2].name}, zugestellt 19.04.2026)",
        )
        self.assertEqual(case.line_ids.history_data[2]["level"], "2nd dunning")
        self.assertEqual(
            german.fees_detail,
            f"19.04.2026  Dunning fee (2nd dunning, {letters[2].name}): 2,50\xa0€",
        )
        self.assertEqual(invoice.collection_case_id, case)
        self.assertEqual(self.customer.collection_case_id, case)
        self.assertIn("Collection cases proposed or extended: 1; handed over: 0", run.log)
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
        self.assertIn("Collection cases proposed or extended: 0; handed over: 1", run.log)
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
