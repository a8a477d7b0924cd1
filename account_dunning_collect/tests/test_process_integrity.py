"""What a debtor relies on, one defect at a time (each reproduced by a user)."""

import json
from datetime import date

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CollectionCommon, DunningCommon


@tagged("post_install", "-at_install")
class TestProcessIntegrity(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._dunning_user(
            "integrity_clerk",
            "account.group_account_invoice",
            "account_dunning_collect.group_dunning_user",
        )
        cls.manager = cls._dunning_user(
            "integrity_boss",
            "account.group_account_invoice",
            "account_dunning_collect.group_dunning_manager",
        )

    # 1. ------------------------------------------------------------------

    def test_letter_never_steps_down(self):
        """A 2nd dunning on 19 Apr, then a new invoice reaches its reminder: the
        next letter is titled 2nd dunning (the defect: "1. Mahnung" after "2.
        Mahnung"), each item shows its own level, the 2.50 fee is not charged
        again for the item merely repeated at its level."""
        old = self._invoice(self.customer, 5000.0, "2026-03-01")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        second = self._letters()[-1]
        self.assertRecordValues(second, [{"level_id": self.dunning2.id, "amount_fee": 2.5}])
        new = self._invoice(self.customer, 21.6, "2026-04-20")
        self._run("2026-05-11")  # the new invoice 7 days overdue
        letter = self._letters()[-1]
        self.assertNotEqual(letter, second)
        self.assertRecordValues(
            letter,
            [
                {
                    "level_id": self.dunning2.id,
                    "deadline_date": date(2026, 5, 18),  # the 2nd dunning's 7 days
                    "amount_fee": 0.0,
                    "amount_overdue": 5021.6 + 2.5,  # with the open charge invoice
                }
            ],
        )
        levels = letter._report_levels()
        by_move = {line.move_id: levels.get(line.id) for line in letter.line_ids}
        self.assertEqual(by_move[old], self.dunning2.name)
        self.assertEqual(by_move[new], self.reminder.name)
        self.assertEqual(letter._report_subject(), self.dunning2.name)

    def test_fee_when_an_item_newly_reaches_the_title_level(self):
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._invoice(self.customer, 200.0, "2026-03-03")
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            self._run(day)
        # both invoices reached the 2nd dunning together: one fee
        self.assertRecordValues(self._letters()[-1], [{"amount_fee": 2.5}])

    # 2. ------------------------------------------------------------------

    def test_one_waiting_letter_brought_up_to_date_and_dated_at_approval(self):
        """7 letters waited for approval while the items climbed; approving the
        oldest sent a letter dated 26 Oct with a deadline of 2 Nov. Now: one
        waiting letter, rewritten by each run, dated the day it is approved."""
        self.policy.write({"approval_required": True, "interest_mode": "statutory"})
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.state, "to_approve")
        for day in ("2026-03-29", "2026-04-05", "2026-04-19"):
            run = self._run(day)
        self.assertEqual(self._letters(), letter)  # no second letter while it waits
        self.assertEqual(run.refreshed_count, 1)
        self.assertIn(
            "brought up to date (items, amounts, level, charges as of 04/19/2026)", run.log
        )
        self.assertIn(letter.name, run.log)
        # still the reminder: nothing escalates before the customer was reminded
        self.assertRecordValues(
            letter,
            [{"level_id": self.reminder.id, "date": date(2026, 4, 19), "state": "to_approve"}],
        )
        with freeze_time("2026-05-04"):
            letter.with_user(self.manager).action_approve()
        line = letter.line_ids
        self.assertRecordValues(
            letter,
            [
                {
                    "state": "sent",
                    "date": date(2026, 5, 4),
                    "sent_date": date(2026, 5, 4),
                    "deadline_date": date(2026, 5, 7),
                    "delivered_date": date(2026, 5, 4),
                }
            ],
        )
        # no reminder reached the customer: in default 30 days after the due date (BGB
        # §286(3)), from 15 April; 15 April - 4 May: 20 days at 1.27 % + 9 points on
        # 1,000.00 = 5.63
        self.assertRecordValues(
            line,
            [
                {
                    "move_id": invoice.id,
                    "days_overdue": 50,
                    "interest_date_from": date(2026, 4, 15),
                    "default_date": date(2026, 4, 15),
                    "interest_date_to": date(2026, 5, 4),
                    "amount_interest": 5.63,
                }
            ],
        )
        self.assertRecordValues(
            letter.fee_move_id,
            [
                {
                    "amount_total": 5.63,
                    "invoice_date": date(2026, 5, 4),
                    "invoice_date_due": date(2026, 5, 7),
                }
            ],
        )

    def test_waiting_letter_with_nothing_left_is_cancelled_by_the_run(self):
        self.policy.approval_required = True
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self._pay(invoice, 1000.0, "2026-03-23")
        run = self._run("2026-03-24")
        self.assertEqual(letter.state, "cancelled")
        self.assertIn(f"cancelled, nothing left to dun: {letter.name}", run.log)

    # 3. ------------------------------------------------------------------

    def test_no_escalation_before_the_letter_was_printed(self):
        """72 of 77 post letters still To Print, yet their items escalated. Now the
        customer is held until the letter is printed, and the next level counts
        from the printing (reminder dated 22.01., printed 20.02., levels at 7
        and 21 days: the next not before 06.03.)."""
        self.reminder.channel = "letter"
        self._invoice(self.customer, 1000.0, "2026-01-01")  # due 15 Jan
        self._run("2026-01-22", deliver=False)
        reminder = self._letters()
        with freeze_time("2026-01-22 09:00"):
            reminder._deliver()
        self.assertEqual(reminder.delivery_state, "to_print")
        run = self._run("2026-02-19", deliver=False)
        self.assertEqual(self._letters(), reminder)
        self.assertEqual(run.held_count, 1)
        self.assertIn(
            "Held back until their last letter is delivered (e-mail sent, printed, call made): "
            "1 customers, waiting since 01/22/2026: Kunde GmbH (01/22/2026)",
            run.log,
        )
        with freeze_time("2026-02-20 10:00"):
            reminder._print_batch()
        self.assertRecordValues(
            reminder, [{"delivery_state": "done", "delivered_date": date(2026, 2, 20)}]
        )
        with self.assertNoNewLetters():
            self._run("2026-03-05")
        self._run("2026-03-06")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)

    def test_phone_letter_delivered_when_the_call_is_done(self):
        self.reminder.channel = "phone"
        self.customer.user_id = self.clerk
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22", deliver=False)
        letter = self._letters()
        self.assertRecordValues(letter, [{"delivery_state": "to_call", "delivered_date": False}])
        with freeze_time("2026-03-24 11:00"):
            letter.activity_ids.with_user(self.clerk).action_feedback("Promised to pay")
        self.assertRecordValues(
            letter, [{"delivery_state": "done", "delivered_date": date(2026, 3, 24)}]
        )
        with self.assertNoNewLetters():
            self._run("2026-04-06")  # 14 days after the call: 7 April
        self._run("2026-04-07")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)

    # 4. ------------------------------------------------------------------

    def test_run_ignores_documents_dated_after_it(self):
        """A letter dated 07.09. listed invoices of 25.10. and 28.09."""
        self._invoice(self.customer, 1000.0, "2026-08-01")
        later = self._invoice(self.customer, 300.0, "2026-09-28")
        credit = self._invoice(self.customer, 50.0, "2026-10-25", move_type="out_refund")
        with freeze_time("2026-10-30"):
            run = self.env["dunning.run"].create(
                {"date": "2026-09-07", "company_id": self.company.id}
            )
            run.action_run()
        letter = run.letter_ids
        self.assertEqual(letter.date, date(2026, 9, 7))
        self.assertNotIn(later, letter.line_ids.move_id)
        self.assertNotIn(credit, letter.line_ids.move_id)
        self.assertEqual(letter.amount_total, 1000.0)

    # 5. ------------------------------------------------------------------

    def test_cancelled_invoice_is_not_dunned(self):
        self.policy.approval_required = True
        invoice = self._invoice(self.customer, 500.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        invoice.button_draft()
        invoice.button_cancel()
        with self.assertRaisesRegex(UserError, "cancelled or no longer posted") as caught:
            letter.with_user(self.manager).action_approve()
        self.assertIn(f"{invoice.name}: cancelled or no longer posted", str(caught.exception))
        self.assertEqual(letter.state, "to_approve")

    def test_cancelled_invoice_withdraws_a_queued_letter(self):
        invoice = self._invoice(self.customer, 500.0, "2026-03-01")
        self._run("2026-03-22", deliver=False)
        letter = self._letters()
        invoice.button_draft()
        invoice.button_cancel()
        with freeze_time("2026-03-22 10:00"):
            letter._deliver()
        self.assertRecordValues(letter, [{"delivery_state": "withdrawn", "delivered_date": False}])
        self.assertFalse(letter.mail_message_id)

    # 6. ------------------------------------------------------------------

    def test_deleting_an_unsent_letter_gives_the_level_back(self):
        self.dunning1.approval_required = True
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._run("2026-04-05")
        waiting = self._letters()[-1]
        self.assertEqual(waiting.state, "to_approve")
        self.assertEqual(invoice.dunning_level_id, self.reminder)  # not yet the 1st dunning
        waiting.with_user(self.manager).unlink()
        self.assertEqual(invoice.dunning_level_id, self.reminder)
        self._run("2026-04-06")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)

    # 7. ------------------------------------------------------------------

    def test_untrusted_bank_account_does_not_fail_a_persons_run(self):
        """The company's bank account not trusted: a run started from the browser
        failed for every customer with a charge while the cron's succeeded."""
        self._invoice(self.customer, 100.0, "2026-03-01")
        bank = self.env["res.partner.bank"].create(
            {
                "acc_number": "DE89370400440532013000",
                "partner_id": self.company.partner_id.id,
                "allow_out_payment": False,
            }
        )
        self.assertFalse(bank.allow_out_payment)
        clerk = self.env(user=self.clerk)
        for day in ("2026-03-22", "2026-04-05", "2026-04-19"):
            with freeze_time(day):
                run = clerk["dunning.run"].create({"date": day})
                run.action_run()
                self._mark_delivered(run.sudo().letter_ids, day)
            self.assertEqual(run.state, "done")
            self.assertEqual(run.error_count, 0)
        letter = self._letters()[-1]
        self.assertRecordValues(
            letter.fee_move_id, [{"amount_total": 2.5, "state": "posted", "partner_bank_id": False}]
        )

    def test_run_with_errors_says_so(self):
        """A run with errors ended Done; its counters disagreed with its log."""
        self.reminder.write({"fee_product_id": self.dunning2.fee_product_id.id, "fee_amount": 1.0})
        usd = self.setup_other_currency("USD", rates=[("2026-01-01", 1.25)])
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._invoice(self.customer, 80.0, "2026-03-01", currency=usd)  # no USD fee
        with mute_logger("odoo.addons.account_dunning_collect.models.dunning_run"):
            run = self._run("2026-03-22")
        self.assertRecordValues(
            run,
            [
                {
                    "state": "partial",
                    "error_count": 1,
                    "item_count": 2,
                    "escalated_count": 1,
                    "letter_count": 1,
                    "sent_count": 1,
                }
            ],
        )
        self.assertIn(
            "Run finished. Items examined: 2; escalated: 1; letters: 1 (sent: 1, to approve: 0)",
            run.log,
        )

    # 8. ------------------------------------------------------------------

    def test_late_concurrent_run_is_retried_not_cryptic(self):
        """A run whose transaction began before another run committed took the lock
        afterwards and failed each customer on "could not serialize access"."""
        company = self.env.ref("base.main_company")  # a row other connections can see
        db = sql_db.db_connect(self.env.cr.dbname)
        with db.cursor() as late_cr, db.cursor() as other_cr:
            late_cr.execute("SET lock_timeout = '5s'")
            other_cr.execute("SET lock_timeout = '5s'")
            late_cr.execute("SELECT 1")  # the late run's snapshot is taken
            other_cr.execute(
                "UPDATE res_company SET dunning_run_serial = COALESCE(dunning_run_serial, 0) + 1"
                " WHERE id = %s",
                [company.id],
            )
            other_cr.commit()  # the other run finished
            late_env = api.Environment(late_cr, SUPERUSER_ID, {})
            run = late_env["dunning.run"].new({"date": date(2026, 3, 22), "company_id": company.id})
            with self.assertRaisesRegex(ConcurrencyError, "finished while"):
                run._claim_snapshot(commit=False)
            late_cr.rollback()
            # a fresh transaction (Odoo's retry of the request) sees the other run
            self.assertTrue(run._claim_snapshot(commit=False))
            late_cr.rollback()

    # 10. -----------------------------------------------------------------

    def test_letter_workflow_fields_are_not_writable_by_hand(self):
        self.policy.approval_required = True
        self.policy.interest_mode = "statutory"
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters().with_user(self.clerk)
        for vals in (
            {"state": "sent"},
            {"charges_waived": True, "amount_fee": 0.0},
            {"amount_total": 1.0},
            {"date": "2026-03-01"},
            {"delivered_date": "2026-03-22"},
        ):
            with self.assertRaisesRegex(AccessError, "change only through the letter's actions"):
                letter.write(vals)
        with self.assertRaisesRegex(AccessError, "written by the dunning run"):
            letter.line_ids.write({"amount_residual": 1.0})
        with self.assertRaisesRegex(AccessError, "written by the dunning run"):
            letter.line_ids.unlink()
        with self.assertRaisesRegex(AccessError, "written by the dunning run, not by hand"):
            self.env["dunning.letter"].with_user(self.clerk).create(
                {
                    "partner_id": self.customer.id,
                    "currency_id": self.company.currency_id.id,
                    "policy_id": self.policy.id,
                    "level_id": self.reminder.id,
                    "date": "2026-03-22",
                    "channel": "email",
                }
            )
        # an invoicing user reads letters and acts on none of them
        reader = self._dunning_user("integrity_reader", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            letter.with_user(reader).action_cancel()
        self.assertEqual(letter.state, "to_approve")
        # what a clerk may change: the responsible person, the channel of a waiting letter
        letter.write({"user_id": self.manager.id, "channel": "letter"})
        self.assertRecordValues(letter, [{"user_id": self.manager.id, "channel": "letter"}])

    def test_invoice_created_with_a_stop_needs_a_manager(self):
        vals = {
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "invoice_date": "2026-03-01",
            "dunning_stop_reason_id": self.stop_dispute.id,
            "invoice_line_ids": [(0, 0, {"name": "X", "quantity": 1, "price_unit": 10.0})],
        }
        with self.assertRaisesRegex(AccessError, "Only a Dunning Manager can set or lift"):
            self.env["account.move"].with_user(self.clerk).create(vals)
        move = self.env["account.move"].with_user(self.manager).create(vals)
        self.assertEqual(move.dunning_stop_reason_id, self.stop_dispute)

    # 12. -----------------------------------------------------------------

    def test_bad_letter_in_one_currency_keeps_the_other(self):
        """A missing USD fee price dropped the customer's EUR letter too."""
        usd = self.setup_other_currency("USD", rates=[("2026-01-01", 1.25)])
        self._invoice(self.customer, 100.0, "2026-03-01")
        self._invoice(self.customer, 80.0, "2026-03-01", currency=usd)
        self._run("2026-03-22")
        self._run("2026-04-05")
        with mute_logger("odoo.addons.account_dunning_collect.models.dunning_run"):
            run = self._run("2026-04-19")
        eur = self._letters().filtered(lambda letter: letter.date == date(2026, 4, 19))
        self.assertRecordValues(
            eur,
            [
                {
                    "currency_id": self.company.currency_id.id,
                    "level_id": self.dunning2.id,
                    "amount_fee": 2.5,
                }
            ],
        )
        self.assertEqual(run.error_count, 1)
        self.assertIn("Error for Kunde GmbH (USD) (no letter)", run.log)
        self.assertIn("has no fee in USD", run.log)
        self.assertEqual(run.state, "partial")
        self.assertEqual(fields.Date.to_string(run.date), "2026-04-19")


@tagged("post_install", "-at_install")
class TestHandoverNeedsDeliveredLetters(CollectionCommon):
    """Claims were handed over with a history saying "2nd dunning sent by letter
    on 2026-10-12" -- a letter that never left the house."""

    def test_handover_only_with_delivered_letters(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")  # due 15 Mar
        self._run("2026-03-22")
        self._run("2026-04-05")
        self._run("2026-04-19", deliver=False)  # the 2nd dunning waits for printing
        second = self._letters()[-1]
        self.assertRecordValues(second, [{"level_id": self.dunning2.id, "channel": "letter"}])
        run = self._run("2026-05-03")  # 49 days overdue: held, not proposed
        self.assertFalse(self._cases())
        self.assertEqual(run.held_count, 1)  # it holds the 1st dunning until the 2nd is out
        # proposed by hand, the handover is refused naming the letter
        action = invoice.action_collection_propose()
        case = self.env["collection.case"].search(action["domain"])
        with freeze_time("2026-05-03"), self.assertRaisesRegex(UserError, "never reached"):
            case.action_handover()
        self.assertIn(second.name, case.problem)
        # printed on 4 May: handed over, the export states each letter's delivery
        with freeze_time("2026-05-04 09:00"):
            second._print_batch()
        with freeze_time("2026-05-18"):
            case.action_handover()
        self.assertEqual(case.state, "handed_over")
        data = json.loads(case.export_attachment_id.raw)
        history = data["items"][0]["dunning_history"]
        self.assertEqual(
            [(event["date"], event["delivered"], event["channel"]) for event in history],
            [
                ("2026-03-22", "2026-03-22", "email"),
                ("2026-04-05", "2026-04-05", "email"),
                ("2026-04-19", "2026-05-04", "letter"),
            ],
        )
        self.assertIn("delivered 05/04/2026", case.line_ids.history)

    def test_run_hands_over_after_the_delivery(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._run("2026-04-05")
        self._run("2026-04-19", deliver=False)
        second = self._letters()[-1]
        with freeze_time("2026-05-04 09:00"):
            second._print_batch()
        self._run("2026-05-17")
        self.assertFalse(self._cases())  # 13 days after the printing
        self._run("2026-05-18")
        self.assertEqual(len(self._cases()), 1)
