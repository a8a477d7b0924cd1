import time
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import sql_db
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.service.model import call_kw
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def test_seed_scenario(self):
        """14-day term: nothing at 6 days, reminder at 7, 1st at 21, 2nd at 35."""
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self.assertEqual(invoice.invoice_date_due, date(2026, 3, 15))
        item = self._receivable_lines(invoice)

        run = self._run("2026-03-21")
        self.assertEqual(run.state, "done")
        self.assertFalse(self._letters())

        run = self._run("2026-03-22", deliver=False)
        letter = self._letters()
        self.assertEqual(len(letter), 1)
        self.assertRecordValues(
            letter,
            [
                {
                    "partner_id": self.customer.id,
                    "level_id": self.reminder.id,
                    "channel": "email",
                    "state": "sent",
                    "date": date(2026, 3, 22),
                    "deadline_date": date(2026, 3, 25),
                    "sent_date": date(2026, 3, 22),
                    "amount_overdue": 1000.0,
                    "amount_total": 1000.0,
                    "run_id": run.id,
                    "currency_id": self.company.currency_id.id,
                }
            ],
        )
        self.assertTrue(letter.name.startswith("DUN/2026/"))
        self.assertRecordValues(
            letter.line_ids,
            [
                {
                    "move_id": invoice.id,
                    "days_overdue": 7,
                    "level_id": self.reminder.id,
                    "amount_residual": 1000.0,
                    "amount_original": 1000.0,
                    "kind": "overdue",
                }
            ],
        )
        self.assertEqual(invoice.dunning_level_id, self.reminder)
        self.assertEqual(invoice.dunning_date, date(2026, 3, 22))
        self.assertRecordValues(
            run, [{"letter_count": 1, "sent_count": 1, "escalated_count": 1, "item_count": 1}]
        )
        # the run leaves documents and e-mails to the delivery job; the item holds
        # its level once the letter was delivered
        self.assertEqual(letter.delivery_state, "pending")
        self.assertFalse(letter.document_id)
        self.assertFalse(item.dunning_level_id)
        self._deliver_letters("2026-03-22 06:00")
        self.assertEqual(letter.delivery_state, "done")
        self.assertEqual(letter.delivered_date, date(2026, 3, 22))
        self.assertEqual(item.dunning_level_id, self.reminder)
        self.assertEqual(item.dunning_date, date(2026, 3, 22))
        # logged, with the letter's PDF, on the partner's and the invoice's chatter
        for record in (self.customer, invoice):
            self.assertIn(letter.name, record.message_ids[0].body)
            self.assertEqual(record.message_ids[0].attachment_ids, letter.document_id)

        with self.assertNoNewLetters():
            second = self._run("2026-03-22")
        self.assertEqual(second.letter_count, 0)
        self.assertEqual(item.dunning_level_id, self.reminder)

        self._run("2026-04-04")
        self.assertEqual(len(self._letters()), 1)
        self._run("2026-04-05")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)
        self.assertEqual(self._letters()[-1].deadline_date, date(2026, 4, 12))
        self._run("2026-04-19")
        last = self._letters()[-1]
        self.assertRecordValues(
            last, [{"level_id": self.dunning2.id, "channel": "letter", "state": "sent"}]
        )
        self.assertEqual(invoice.dunning_level_id, self.dunning2)
        with self.assertNoNewLetters():
            self._run("2026-06-30")  # after the last level nothing more is sent

    def test_partial_payment_keeps_escalating_the_rest(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._pay(invoice, 400.0, "2026-03-30")
        self._run("2026-04-05")
        letter = self._letters()[-1]
        self.assertEqual(letter.level_id, self.dunning1)
        self.assertEqual(letter.amount_overdue, 600.0)
        self.assertEqual(letter.line_ids.amount_residual, 600.0)
        self.assertEqual(letter.line_ids.amount_original, 1000.0)

    def test_full_payment_ends_escalation(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._pay(invoice, 1000.0, "2026-03-30")
        with self.assertNoNewLetters():
            self._run("2026-04-05")
        self.assertEqual(invoice.payment_state, "paid")

    def test_paid_and_reopened_continues_from_last_level(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        payment = self._pay(invoice, 1000.0, "2026-03-30")
        with self.assertNoNewLetters():
            self._run("2026-04-05")
        # the bank returned the payment: unreconcile it and reverse its entry
        payment.move_id.line_ids.remove_move_reconcile()
        payment.move_id._reverse_moves(cancel=True)
        self.assertEqual(invoice.payment_state, "not_paid")
        self._run("2026-04-06")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)

    def test_invoice_stop_without_end_date(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        invoice.dunning_stop_reason_id = self.stop_dispute
        with self.assertNoNewLetters():
            self._run("2026-04-05")
        with freeze_time("2026-04-05"):
            self.assertTrue(invoice.dunning_stopped)
            self.assertIn(
                invoice, self.env["account.move"].search([("dunning_stopped", "=", True)])
            )
        invoice.action_dunning_lift_stop()
        self._run("2026-04-06")
        self.assertEqual(self._letters().level_id, self.reminder)

    def test_invoice_stop_with_end_date_resumes(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        invoice.write(
            {"dunning_stop_reason_id": self.stop_plan.id, "dunning_stop_until": "2026-04-01"}
        )
        with self.assertNoNewLetters():
            self._run("2026-03-22")
        with self.assertNoNewLetters():
            self._run("2026-04-01")  # the end date is still stopped
        run = self._run("2026-04-02")
        self.assertFalse(invoice.dunning_stop_reason_id)
        self.assertFalse(invoice.dunning_stop_until)
        self.assertIn("Expired dunning stops lifted", run.log)
        self.assertEqual(self._letters().level_id, self.reminder)

    def test_partner_stop(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        other = self._create_customer("Andere AG", email="a@example.com")
        self._invoice(other, 500.0, "2026-03-01")
        self.customer.write(
            {"dunning_stop_reason_id": self.stop_dispute.id, "dunning_stop_until": "2026-03-31"}
        )
        self._run("2026-03-22")
        self.assertEqual(self._letters().partner_id, other)
        self._run("2026-04-01")
        self.assertEqual(self._letters(self.customer).level_id, self.reminder)
        self.assertFalse(self.customer.dunning_stop_reason_id)

    def test_contact_invoices_belong_to_commercial_partner(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Erika Muster",
                "parent_id": self.customer.id,
                "type": "invoice",
                "email": "erika@kunde.example",
            }
        )
        invoice = self._invoice(contact, 300.0, "2026-03-01")
        self._invoice(self.customer, 200.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.partner_id, self.customer)
        self.assertEqual(letter.amount_overdue, 500.0)
        self.assertIn(invoice, letter.move_ids)

    def test_installments_escalate_separately(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50% in 14 days, 50% in 44 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 14}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 44}),
                ],
            }
        )
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01", term=term)
        first, second = self._receivable_lines(invoice)
        self.assertEqual(
            (first.date_maturity, second.date_maturity), (date(2026, 3, 15), date(2026, 4, 14))
        )
        self._run("2026-03-22")
        letter = self._letters()
        self.assertRecordValues(
            letter.line_ids.sorted("date_maturity"),
            [
                {
                    "move_line_id": first.id,
                    "kind": "overdue",
                    "level_id": self.reminder.id,
                    "amount_residual": 500.0,
                },
                {
                    "move_line_id": second.id,
                    "kind": "not_due",
                    "level_id": False,
                    "amount_residual": 500.0,
                },
            ],
        )
        self.assertEqual(
            (letter.amount_overdue, letter.amount_not_due, letter.amount_total),
            (500.0, 500.0, 500.0),
        )
        self.assertFalse(second.dunning_level_id)
        self._run("2026-04-21")  # 2nd installment 7 days overdue, 1st at 37 days
        letter = self._letters()[-1]
        self.assertEqual(first.dunning_level_id, self.dunning1)
        self.assertEqual(second.dunning_level_id, self.reminder)
        self.assertEqual(letter.level_id, self.dunning1)
        self.assertEqual(letter.amount_overdue, 1000.0)

    def test_credit_note_and_unapplied_payment_reduce_balance(self):
        self.policy.allocate_payments = False  # listed, not applied (see test_dunning_allocation)
        self._invoice(self.customer, 1000.0, "2026-03-01")
        credit_note = self._invoice(self.customer, 200.0, "2026-03-10", move_type="out_refund")
        payment = self._unapplied_payment(self.customer, 100.0, "2026-03-12")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertRecordValues(
            letter, [{"amount_overdue": 1000.0, "amount_credit": -300.0, "amount_total": 700.0}]
        )
        credits = letter.line_ids.filtered(lambda line: line.kind == "credit")
        self.assertEqual(credits.move_id, credit_note | payment.move_id)
        self.assertEqual(sorted(credits.mapped("amount_residual")), [-200.0, -100.0])
        self.assertFalse(credits.level_id)

    def test_credit_covering_overdue_gives_no_letter(self):
        self.policy.allocate_payments = False
        self._invoice(self.customer, 300.0, "2026-03-01")
        self._invoice(self.customer, 300.0, "2026-03-10", move_type="out_refund")
        with self.assertNoNewLetters():
            run = self._run("2026-03-22")
        self.assertEqual(run.skipped_count, 1)
        self.assertIn("credits cover the overdue amount", run.log)

    def test_credit_covering_overdue_is_allocated(self):
        invoice = self._invoice(self.customer, 300.0, "2026-03-01")
        self._invoice(self.customer, 300.0, "2026-03-10", move_type="out_refund")
        with self.assertNoNewLetters():
            run = self._run("2026-03-22")
        self.assertEqual(invoice.payment_state, "reversed")  # settled by the credit note
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn("allocated", run.log)

    def test_minimum_amount(self):
        self.policy.minimum_amount = 50.0
        self._invoice(self.customer, 49.99, "2026-03-01")
        with self.assertNoNewLetters():
            run = self._run("2026-03-22")
        self.assertIn("below the policy's minimum amount", run.log)
        self._invoice(self.customer, 0.01, "2026-03-01")
        self._run("2026-03-23")
        self.assertEqual(self._letters().amount_total, 50.0)

    def test_two_currencies_two_letters(self):
        usd = self.setup_other_currency("USD", rates=[("2026-01-01", 1.25)])
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._invoice(self.customer, 250.0, "2026-03-01", currency=usd)
        self._run("2026-03-22")
        letters = self._letters()
        self.assertEqual(len(letters), 2)
        by_currency = {letter.currency_id: letter for letter in letters}
        self.assertEqual(by_currency[self.company.currency_id].amount_total, 1000.0)
        self.assertEqual(by_currency[usd].amount_total, 250.0)
        self.assertEqual(by_currency[usd].line_ids.amount_residual, 250.0)

    def test_jump_to_highest_level(self):
        self.policy.jump_to_highest_level = True
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-04-24")
        self.assertEqual(self._letters().level_id, self.dunning2)

    def test_one_level_per_run_by_default(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-04-24")
        self.assertEqual(self._letters().level_id, self.reminder)
        with self.assertNoNewLetters():
            self._run("2026-05-07")  # 13 days after the reminder
        self._run("2026-05-08")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)

    def test_partner_policy_overrides_company_default(self):
        strict = self.env["dunning.policy"].create(
            {
                "name": "Strict",
                "company_id": self.company.id,
                "level_ids": [
                    Command.create({"name": "Only", "delay_days": 3, "channel": "email"})
                ],
            }
        )
        self.customer.with_company(self.company).dunning_policy_id = strict
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-18")
        self.assertEqual(self._letters().policy_id, strict)

    def test_invoice_without_due_date_is_logged(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move_line SET date_maturity = NULL WHERE move_id = %s", [invoice.id]
        )
        self.env.invalidate_all()
        with self.assertNoNewLetters():
            run = self._run("2026-03-22")
        self.assertIn(f"set a due date on: {invoice.name}", run.log)
        self.assertEqual(run.state, "done")

    def test_failing_partner_does_not_stop_the_others(self):
        other = self._create_customer("Andere AG", email="a@example.com")
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._invoice(other, 500.0, "2026-03-01")
        original = type(self.env["dunning.run"])._letter_route

        def failing(run, level, partner, contact):
            if partner == self.customer:
                raise ValueError("boom for Kunde")
            return original(run, level, partner, contact)

        with (
            patch.object(type(self.env["dunning.run"]), "_letter_route", failing),
            mute_logger("odoo.addons.account_dunning_collect.models.dunning_run"),
        ):
            run = self._run("2026-03-22")
        self.assertEqual(self._letters().partner_id, other)
        self.assertEqual(run.error_count, 1)
        self.assertIn("Error for Kunde GmbH (no letter): boom for Kunde", run.log)
        self.assertFalse(self._receivable_lines(self.customer.invoice_ids).dunning_level_id)
        # a run with errors says so in its state; its counters agree with its log
        self.assertEqual(run.state, "partial")
        self.assertRecordValues(run, [{"item_count": 2, "letter_count": 1}])
        self.assertIn("Run finished. Items examined: 2; escalated: 1; letters: 1 ", run.log)

    def test_concurrent_run_is_refused(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self.env.flush_all()
        # another worker (its own database connection) holds the company's run lock
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_lock(%s, %s)", (0x44554E, self.company.id))
            with (
                self.assertRaisesRegex(UserError, "already in progress"),
                self.assertNoNewLetters(),
            ):
                self._run("2026-03-22")
            other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", (0x44554E, self.company.id))
        self._run("2026-03-22")
        self.assertEqual(len(self._letters()), 1)

    def test_done_run_cannot_run_again(self):
        run = self._run("2026-03-22")
        with self.assertRaisesRegex(UserError, "already done"):
            run.action_run()

    def test_run_now_creates_the_run_when_it_starts(self):
        """The list offers Run Dunning Now instead of New: the web client saves a
        form opened with New as soon as the page is hidden or left, which left an
        empty run behind at every click."""
        self._invoice(self.customer, 1000.0, "2026-03-01")
        Run = self.env["dunning.run"]
        for view_type in ("list", "form"):
            arch = etree.fromstring(Run.get_view(view_type=view_type)["arch"])
            self.assertIn(arch.get("create"), ("0", "false"), view_type)
        button = etree.fromstring(Run.get_view(view_type="list")["arch"]).find(".//header/button")
        self.assertEqual(button.get("name"), "action_run_now")
        with freeze_time("2026-03-22 09:00:00"):
            # as the list's button calls it (/web/dataset/call_button): with the selected ids
            action = call_kw(Run.with_company(self.company), "action_run_now", [[]], {})
        run = Run.browse(action["res_id"])
        self.assertEqual((action["res_model"], action["views"]), ("dunning.run", [(False, "form")]))
        self.assertRecordValues(
            run,
            [
                {
                    "date": date(2026, 3, 22),
                    "company_id": self.company.id,
                    "state": "done",
                    "letter_count": 1,
                }
            ],
        )
        self.assertEqual(Run.search([("company_id", "=", self.company.id)]), run)

    def test_run_in_future_refused(self):
        with freeze_time("2026-03-22"), self.assertRaisesRegex(UserError, "lies in the future"):
            self.env["dunning.run"].create({"date": "2026-03-23"})

    def test_cron_runs_each_company_once_a_day(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        cron = self.env.ref("account_dunning_collect.ir_cron_dunning_run")
        self.registry_enter_test_mode()  # the cron job's own cursor must see this test's data
        with freeze_time("2026-03-22 06:00:00"):
            cron.method_direct_trigger()
            run = self.env["dunning.run"].search([("company_id", "=", self.company.id)])
            self.assertRecordValues(
                run, [{"date": date(2026, 3, 22), "state": "done", "letter_count": 1}]
            )
            cron.method_direct_trigger()
        self.assertEqual(
            self.env["dunning.run"].search_count([("company_id", "=", self.company.id)]), 1
        )
        self.assertEqual(len(self._letters()), 1)

    def test_cron_commits_per_batch_and_resumes_after_time_limit(self):
        """One time budget per wake-up (half the real-time limit of 120 s), however
        often ir.cron calls the job in it; the next wake-up resumes the run."""
        partners = self.customer | self._create_customer("B AG", email="b@example.com")
        partners |= self._create_customer("C AG", email="c@example.com")
        for partner in partners:
            self._invoice(partner, 100.0, "2026-03-01")
        cron = self.env.ref("account_dunning_collect.ir_cron_dunning_run")
        self.registry_enter_test_mode()
        Run = type(self.env["dunning.run"])
        original = Run._process_batch
        run_module = "odoo.addons.account_dunning_collect.models.dunning_run"
        with (
            freeze_time("2026-03-22 06:00:00") as clock,
            patch.dict(config.options, {"limit_time_real": 120, "limit_time_real_cron": -1}),
            patch(f"{run_module}.PARTNER_BATCH_SIZE", 1),
        ):

            def slow_batch(run_self, partner_ids, items_by_partner):
                clock.tick(25)  # a batch of partners takes 25 seconds
                return original(run_self, partner_ids, items_by_partner)

            with patch.object(Run, "_process_batch", slow_batch):
                woke_up = time.monotonic()
                cron.method_direct_trigger()
                # two batches (50 s); a third would end after the 60 s budget
                self.assertEqual(time.monotonic() - woke_up, 50)
                self.env.invalidate_all()
                run = self.env["dunning.run"].search([("company_id", "=", self.company.id)])
                self.assertRecordValues(run, [{"state": "running", "letter_count": 2}])
                self.assertIn("Time limit reached", run.log)
                # ir.cron called again at once; out of time, the job did nothing,
                # which ended the wake-up ("partially done": due again now)
                progress = self.env["ir.cron.progress"].search(
                    [("cron_id", "=", cron.id)], order="id"
                )
                self.assertEqual(progress.mapped("done"), [2, 0])
                self.assertTrue(all(progress.mapped("remaining")))
                cron.method_direct_trigger()  # the next wake-up: the same run resumes
        self.env.invalidate_all()
        self.assertRecordValues(run, [{"state": "done", "letter_count": 3, "sent_count": 3}])
        self.assertEqual(self._letters().partner_id, partners)

    def test_payment_matched_during_the_run_is_seen(self):
        """The run reads the receivables once; a payment reconciled while it is on
        an earlier batch keeps the paid invoice out of a later batch's letter."""
        other = self._create_customer("B AG", email="b@example.com")
        self._invoice(self.customer, 100.0, "2026-03-01")
        paid_meanwhile = self._invoice(other, 250.0, "2026-03-01")
        Run = type(self.env["dunning.run"])
        original = Run._process_batch
        batches = []

        def pay_after_first_batch(run_self, partner_ids, items_by_partner):
            batches.append(partner_ids)
            result = original(run_self, partner_ids, items_by_partner)
            if len(batches) == 1:
                self._pay(paid_meanwhile, 250.0, "2026-03-21")
            return result

        run_module = "odoo.addons.account_dunning_collect.models.dunning_run"
        with (
            patch(f"{run_module}.PARTNER_BATCH_SIZE", 1),
            patch.object(Run, "_process_batch", pay_after_first_batch),
        ):
            run = self._run("2026-03-22")
        self.assertEqual(batches, [[self.customer.id], [other.id]])
        self.assertEqual(paid_meanwhile.payment_state, "paid")
        self.assertEqual(self._letters().partner_id, self.customer)
        self.assertFalse(self._letters(other))
        self.assertRecordValues(run, [{"letter_count": 1, "item_count": 1}])

    def test_sent_letter_keeps_lines_of_replaced_journal_items(self):
        """A sent letter is a document: replacing a dunned draft invoice's two
        installments by one due date does not change its lines or amounts
        (the defect: 2 lines became 1, the letter said 350.00, its lines 225.00)."""
        installments = self._installments(10, 14)
        kept = self._invoice(self.customer, 100.0, "2026-03-01")
        changed = self._invoice(self.customer, 250.0, "2026-03-01", term=installments)
        self._run("2026-03-22")
        letter = self._letters()
        items = self._receivable_lines(changed)
        self.assertEqual(len(letter.line_ids), 3)
        self.assertEqual(letter.line_ids.move_line_id, self._receivable_lines(kept) | items)
        before = [(line.move_id, line.amount_residual) for line in letter.line_ids]
        changed.button_draft()
        changed.invoice_payment_term_id = self.term_14
        remaining = self._receivable_lines(changed)
        self.assertEqual(remaining.amount_residual, 250.0)
        gone = items - remaining
        self.assertEqual(len(gone), 1)
        self.assertFalse(gone.exists())
        letter.invalidate_recordset()
        self.assertEqual([(line.move_id, line.amount_residual) for line in letter.line_ids], before)
        self.assertEqual(sum(letter.line_ids.mapped("amount_residual")), 350.0)
        self.assertEqual(letter.amount_total, 350.0)

    def test_deleted_journal_item_leaves_an_unsent_letter(self):
        """A letter waiting for approval is no document yet: the lines of deleted
        journal items go with them (their column has no foreign key)."""
        self.policy.approval_required = True
        installments = self._installments(10, 14)
        changed = self._invoice(self.customer, 250.0, "2026-03-01", term=installments)
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual((letter.state, len(letter.line_ids)), ("to_approve", 2))
        items = self._receivable_lines(changed)
        changed.button_draft()
        changed.invoice_payment_term_id = self.term_14
        gone = items - self._receivable_lines(changed)
        self.assertEqual(len(gone), 1)
        self.assertEqual(len(letter.line_ids), 1)
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT count(*) FROM dunning_letter_line line
               LEFT JOIN account_move_line aml ON aml.id = line.move_line_id
               WHERE aml.id IS NULL AND line.letter_id = %s""",
            [letter.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_multi_company_isolation(self):
        company_b = self.setup_other_company(name="Zweite GmbH")["company"]
        self.assertTrue(company_b.dunning_policy_id)
        self.assertEqual(company_b.dunning_policy_id.company_id, company_b)
        self._invoice(self.customer, 1000.0, "2026-03-01")
        invoice_b = (
            self.env["account.move"]
            .with_company(company_b)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2026-03-01",
                    "invoice_date_due": "2026-03-15",
                    "invoice_line_ids": [
                        Command.create({"name": "B", "price_unit": 70.0, "tax_ids": []})
                    ],
                }
            )
        )
        invoice_b.action_post()
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.line_ids.move_id.company_id, self.company)
        self.assertFalse(invoice_b.dunning_level_id)
        self._run("2026-03-22", company=company_b)
        letter_b = self.env["dunning.letter"].search([("company_id", "=", company_b.id)])
        self.assertEqual(letter_b.line_ids.move_id, invoice_b)
        self.assertEqual(letter_b.policy_id, company_b.dunning_policy_id)
        self.assertEqual(letter_b.amount_total, 70.0)
        # a user of the first company only does not see the other company's letters
        user = self._dunning_user("sachbearbeiter", "account_dunning_collect.group_dunning_user")
        visible = self.env["dunning.letter"].with_user(user).search([])
        self.assertIn(letter, visible)
        self.assertNotIn(letter_b, visible)
