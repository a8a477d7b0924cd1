from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLetter(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = cls._dunning_user("clerk", "account_dunning_collect.group_dunning_user")
        cls.manager = cls._dunning_user("boss", "account_dunning_collect.group_dunning_manager")
        cls.manager.group_ids += cls.env.ref("base.group_partner_manager")

    def test_approval_flow(self):
        self.policy.approval_required = True
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        run = self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.state, "to_approve")
        self.assertIn("asks for approval", letter.approval_reason)
        self.assertEqual(run.to_approve_count, 1)
        self.assertEqual(run.sent_count, 0)
        # a letter waiting for approval gives no level yet; the next run brings it up
        # to date instead of writing a second one
        self.assertFalse(invoice.dunning_level_id)
        with self.assertNoNewLetters():
            self._run("2026-03-23")
        self.assertRecordValues(letter, [{"date": date(2026, 3, 23), "state": "to_approve"}])
        # what it asks for did not change: no note for every day it waits
        self.assertNotIn("Brought up to date", " ".join(letter.message_ids.mapped("body")))
        with self.assertRaises(AccessError):
            letter.with_user(self.user).action_send()
        with self.assertRaises(AccessError):
            letter.with_user(self.user).action_approve()
        with freeze_time("2026-03-27"):
            letter.with_user(self.manager).action_approve()
        # dated the day it goes out, the deadline from then
        self.assertRecordValues(
            letter,
            [
                {
                    "state": "sent",
                    "date": date(2026, 3, 27),
                    "sent_date": date(2026, 3, 27),
                    "deadline_date": date(2026, 3, 30),
                    "delivered_date": date(2026, 3, 27),
                }
            ],
        )
        self.assertEqual(letter.line_ids.days_overdue, 12)
        self.assertEqual(invoice.dunning_level_id, self.reminder)
        with self.assertRaisesRegex(UserError, "Only letters waiting for approval"):
            letter.with_user(self.manager).action_approve()

    def test_letter_paid_while_waiting_for_approval_is_not_sent(self):
        """A letter waits for approval; the customer pays one invoice in full and
        another in part: approving it is refused, naming both, and nothing is sent."""
        self.policy.approval_required = True
        paid = self._invoice(self.customer, 1000.0, "2026-03-01")
        part = self._invoice(self.customer, 400.0, "2026-03-02")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.state, "to_approve")
        self.assertFalse(letter.payment_warning)
        self._pay(paid, 1000.0, "2026-03-24")
        self._pay(part, 150.0, "2026-03-24")
        letter.invalidate_recordset(["payment_warning"])
        self.assertEqual(
            letter.payment_warning,
            "Paid since the run made this letter:\n"
            f"{paid.name}: open 0.00\xa0€, in the letter 1,000.00\xa0€\n"
            f"{part.name}: open 250.00\xa0€, in the letter 400.00\xa0€\n"
            "Cancel it: the next run writes a letter with the open amounts.",
        )
        with self.assertRaisesRegex(UserError, "paid since the run made them") as caught:
            letter.with_user(self.manager).action_approve()
        self.assertIn(f"{letter.name} (Kunde GmbH): {paid.name}", str(caught.exception))
        with self.assertRaises(UserError):
            letter.with_user(self.manager).action_send()
        self.assertRecordValues(letter, [{"state": "to_approve", "sent_date": False}])
        # cancelled, the next run writes a letter for what is open
        letter.with_user(self.manager).action_cancel()
        self.assertFalse(letter.payment_warning)
        self._run("2026-03-25")
        new = self._letters()[-1]
        self.assertNotEqual(new, letter)
        self.assertEqual(new.line_ids.move_id, part)
        self.assertEqual(new.amount_overdue, 250.0)

    def test_level_approval(self):
        self.dunning1.approval_required = True
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._run("2026-04-05")
        self.assertEqual(self._letters().mapped("state"), ["sent", "to_approve"])

    def test_company_approval_setting(self):
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        settings.dunning_approval_required = True
        settings.execute()
        self.assertTrue(self.company.dunning_approval_required)
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self.assertEqual(self._letters().state, "to_approve")

    def test_cancel_gives_items_their_level_back(self):
        self.policy.approval_required = True
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        with freeze_time("2026-03-22"):
            self._letters().with_user(self.manager).action_approve()
        self._run("2026-04-05")
        letter = self._letters()[-1]
        self.assertRecordValues(letter, [{"level_id": self.dunning1.id, "state": "to_approve"}])
        # a letter waiting for approval gives no level; cancelled, none is lost either
        self.assertEqual(invoice.dunning_level_id, self.reminder)
        letter.with_user(self.user).action_cancel()
        self.assertEqual(letter.state, "cancelled")
        item = self._receivable_lines(invoice)
        self.assertEqual(item.dunning_level_id, self.reminder)
        self.assertEqual(item.dunning_date, date(2026, 3, 22))
        self.assertEqual(invoice.dunning_level_id, self.reminder)
        self._run("2026-04-06")
        self.assertEqual(self._letters()[-1].level_id, self.dunning1)
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            self._letters()[0].action_cancel()

    def test_sent_letter_cannot_be_deleted(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self._letters().unlink()

    def test_missing_email_falls_back_to_post(self):
        no_email = self._create_customer("Ohne Mail GmbH", email=False)
        self._invoice(no_email, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertRecordValues(letter, [{"channel": "letter", "state": "sent"}])
        self.assertIn("no e-mail address", letter.approval_reason)

    def test_invoice_contact_email_is_used(self):
        no_email = self._create_customer("Mit Kontakt GmbH", email=False)
        self.env["res.partner"].create(
            {
                "name": "Buchhaltung",
                "parent_id": no_email.id,
                "type": "invoice",
                "email": "ap@kontakt.example",
            }
        )
        self._invoice(no_email, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self.assertRecordValues(
            self._letters(), [{"channel": "email", "state": "sent", "approval_reason": False}]
        )

    def test_no_email_and_no_address_waits_for_approval(self):
        nowhere = self._create_customer("Nirgendwo GmbH", email=False, address=False)
        self._invoice(nowhere, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertRecordValues(letter, [{"channel": "letter", "state": "to_approve"}])
        self.assertIn("no complete postal address", letter.approval_reason)

    def test_approving_a_letter_by_post_without_address_is_refused(self):
        """Approved unchanged, it only made a delivery that failed (the demo's letter)."""
        nowhere = self._create_customer("Nirgendwo GmbH", email=False, address=False)
        self._invoice(nowhere, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        for action in ("action_approve", "action_send"):
            with (
                freeze_time("2026-03-23"),
                self.assertRaisesRegex(
                    UserError,
                    "Letters by post to customers without a complete postal address "
                    rf"\(street, ZIP and city\): {letter.name} \(Nirgendwo GmbH\)",
                ),
            ):
                getattr(letter.with_user(self.manager), action)()
            self.assertRecordValues(
                letter,
                [{"state": "to_approve", "date": date(2026, 3, 22), "delivery_state": False}],
            )
        nowhere.write({"street": "Am Markt 1", "zip": "10115", "city": "Berlin"})
        with freeze_time("2026-03-23"):
            letter.with_user(self.manager).action_approve()
        self.assertRecordValues(letter, [{"state": "sent", "date": date(2026, 3, 23)}])

    def test_phone_channel_schedules_call(self):
        salesperson = self.manager
        self.customer.user_id = salesperson
        self.reminder.channel = "phone"
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        letter = self._letters()
        self.assertEqual(letter.state, "sent")
        activity = letter.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertRecordValues(
            activity,
            [
                {
                    "user_id": salesperson.id,
                    "date_deadline": date(2026, 3, 22),
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                }
            ],
        )
        self.assertIn("Kunde GmbH", activity.summary)

    def test_user_cannot_set_stop(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        with self.assertRaisesRegex(AccessError, "Only a Dunning Manager"):
            invoice.with_user(self.user).dunning_stop_reason_id = self.stop_dispute
        with self.assertRaisesRegex(AccessError, "Only a Dunning Manager"):
            self.customer.with_user(self.user).write(
                {"dunning_stop_reason_id": self.stop_dispute.id}
            )
        self.customer.with_user(self.manager).write(
            {"dunning_stop_reason_id": self.stop_dispute.id, "dunning_stop_until": "2026-05-01"}
        )
        self.assertEqual(self.customer.dunning_stop_reason_id, self.stop_dispute)
        self.customer.with_user(self.manager).action_dunning_lift_stop()
        self.assertFalse(self.customer.dunning_stop_reason_id)
        self.assertFalse(self.customer.dunning_stop_until)

    def test_dunning_user_runs_the_dunning(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        run = self._run("2026-03-22")
        self.env.invalidate_all()
        self.assertEqual(run.with_user(self.user).letter_ids.state, "sent")
        with self.assertNoNewLetters():
            self.env["dunning.run"].with_user(self.user).create({"date": "2026-03-22"})

    def test_partner_dunning_info(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        self._run("2026-03-22")
        self._run("2026-04-05")
        self.assertEqual(self.customer.dunning_letter_count, 2)
        self.assertEqual(self.customer.dunning_level_id, self.dunning1)
        self.assertEqual(self.customer.dunning_last_letter_id, self._letters()[-1])
        action = self.customer.action_view_dunning_letters()
        self.assertEqual(self.env["dunning.letter"].search(action["domain"]), self._letters())
