"""When default begins (BGB §286): interest and the §288(5) flat fee from the same day."""

from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningDefault(DunningCommon):
    """Issue 15's worked examples: 1,000.00 EUR due 15.05.2025, levels at 7 and 21 days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consumer = cls._create_customer(
            "Erika Verbraucher", email="erika@example.com", is_company=False
        )
        cls.policy.write(
            {"interest_mode": "statutory", "flat_fee_b2b": True, "allocate_payments": False}
        )

    def _due_may_15(self, partner, term=None):
        invoice = self._invoice(partner, 1000.0, "2025-05-01", term=term)
        self.assertEqual(invoice.invoice_date_due, date(2025, 5, 15))
        return invoice

    def test_defaults(self):
        self.assertRecordValues(
            self.policy,
            [{"default_basis": "statutory", "receipt_days": 3, "interest_day_count": "act_365"}],
        )
        self.assertFalse(self.company.dunning_consumer_default_notice)

    def test_business_reminder_then_second_letter(self):
        self._due_may_15(self.customer)
        reminder = self._run("2025-05-22").letter_ids  # delivered the same day
        self.assertRecordValues(
            reminder,
            [{"level_id": self.reminder.id, "amount_interest": 0.0, "amount_flat_fee": 0.0}],
        )
        self.assertFalse(reminder.line_ids.default_date)
        second = self._run("2025-06-05").letter_ids
        # received 25.05., in default since 26.05.: 11 days at 11.27 % = 3.40
        self.assertRecordValues(
            second,
            [
                {
                    "level_id": self.dunning1.id,
                    "amount_interest": 3.40,
                    "amount_flat_fee": 40.0,
                    "amount_fee": 0.0,  # the shipped policy charges a fee from the 2nd letter
                    "amount_total": 1043.40,
                    "interest_day_count": "act_365",
                }
            ],
        )
        self.assertRecordValues(
            second.line_ids,
            [
                {
                    "default_date": date(2025, 5, 26),
                    "default_reason": "reminder",
                    "interest_date_from": date(2025, 5, 26),
                    "interest_date_to": date(2025, 6, 5),
                    "interest_days": 11,
                    "amount_interest": 3.40,
                    "amount_flat_fee": 40.0,
                }
            ],
        )

    def test_consumer_same_dates(self):
        self._due_may_15(self.consumer)
        self._run("2025-05-22")
        second = self._run("2025-06-05").letter_ids
        # 11 days at 7.27 % = 2.19, no flat fee for consumers
        self.assertRecordValues(second, [{"amount_interest": 2.19, "amount_flat_fee": 0.0}])
        self.assertEqual(second.line_ids.default_date, date(2025, 5, 26))

    def test_business_first_dunned_late(self):
        self._due_may_15(self.customer)
        first = self._run("2025-07-10").letter_ids
        # §286(3): in default since 15.06.; 16 days at 11.27 % + 10 at 10.27 % = 7.75,
        # and the flat fee with this very first letter
        self.assertRecordValues(
            first,
            [{"level_id": self.reminder.id, "amount_interest": 7.75, "amount_flat_fee": 40.0}],
        )
        self.assertRecordValues(
            first.line_ids,
            [{"default_date": date(2025, 6, 15), "default_reason": "thirty_days"}],
        )

    def test_consumer_first_dunned_late_needs_the_notice(self):
        self._due_may_15(self.consumer)
        letter = self._run("2025-07-10").letter_ids
        self.assertEqual(letter.amount_interest, 0.0)  # no reminder yet, no §286(3) notice
        self.company.dunning_consumer_default_notice = True
        letter._cancel_internal("test")
        letter = self._run("2025-07-11").letter_ids
        # 15.06.-11.07.: 16 days at 7.27 % + 11 at 6.27 % = 3.1868... + 1.8896... = 5.08
        self.assertEqual(letter.amount_interest, 5.08)
        self.assertEqual(letter.line_ids.default_reason, "thirty_days")

    def test_reminder_basis_and_receipt_days(self):
        self.policy.write({"default_basis": "reminder", "receipt_days": 1})
        self._due_may_15(self.customer)
        self._run("2025-07-10")  # first letter: not in default before it is received
        second = self._run("2025-07-24").letter_ids
        # received 11.07., in default since 12.07.: 13 days at 10.27 % = 3.66
        self.assertRecordValues(
            second.line_ids,
            [{"default_date": date(2025, 7, 12), "amount_interest": 3.66, "amount_flat_fee": 40.0}],
        )

    def test_calendar_due_payment_term(self):
        term = self.term_14.copy({"name": "14 days, agreed", "dunning_calendar_due": True})
        self._due_may_15(self.customer, term=term)
        letter = self._run("2025-05-22").letter_ids
        # in default since 16.05. whatever the policy says: 7 days at 11.27 % = 2.16
        self.assertRecordValues(
            letter.line_ids,
            [
                {
                    "default_date": date(2025, 5, 16),
                    "default_reason": "calendar",
                    "amount_interest": 2.16,
                    "amount_flat_fee": 40.0,
                }
            ],
        )

    def test_a_letter_keeps_what_it_said(self):
        self._due_may_15(self.customer)
        self._run("2025-05-22")
        second = self._run("2025-06-05").letter_ids
        self.assertEqual(second.line_ids.default_date, date(2025, 5, 26))
        # the policy changes: the next letter keeps the stated first day of default
        self.policy.default_basis = "due_date"
        third = self._run("2025-06-19").letter_ids
        self.assertRecordValues(
            third.line_ids.filtered(lambda line: not line.is_charge),
            [
                {
                    "default_date": date(2025, 5, 26),
                    "default_reason": "reminder",
                    "interest_date_from": date(2025, 6, 6),
                    "amount_flat_fee": 0.0,
                }
            ],
        )
        self.assertEqual(second.line_ids.default_date, date(2025, 5, 26))

    def test_act_act_day_count(self):
        self.policy.interest_day_count = "act_act"
        invoice = self._invoice(self.customer, 24466.0, "2023-12-17")  # due 31.12.2023
        self.assertEqual(invoice.invoice_date_due, date(2023, 12, 31))
        self.policy.default_basis = "due_date"
        letter = self._run("2024-06-30").letter_ids
        # 01.01.-30.06.2024, 182 days at 12.62 % / 366 = 1,535.37 (act/365: 1,539.57)
        self.assertRecordValues(
            letter, [{"amount_interest": 1535.37, "interest_day_count": "act_act"}]
        )
        self.assertEqual(
            letter.line_ids.interest_detail,
            "2024-01-01 - 2024-06-30: 182 days at 12.62 % on 24466.00 / 366 days",
        )

    def test_receipt_days_checked(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 30"):
            self.policy.receipt_days = -1

    def test_upgrade_keeps_what_was_charged(self):
        """Letters sent before 19.0.1.6.0 charged interest from the day after the due date
        and stated no default: the next letter charges only the days since, and takes the
        first day of default from the letters' history."""
        self.policy.default_basis = "due_date"  # as before the upgrade
        self._due_may_15(self.customer)
        reminder = self._run("2025-05-22").letter_ids
        self.assertEqual(reminder.line_ids.interest_date_from, date(2025, 5, 16))
        # what the upgrade leaves: no default stated, the policy now statutory
        reminder.line_ids.sudo().write({"default_date": False, "default_reason": False})
        self.policy.default_basis = "statutory"
        second = self._run("2025-06-05").letter_ids
        line = second.line_ids.filtered(lambda line: not line.is_charge)
        self.assertRecordValues(
            line,
            [
                {
                    # from the reminder delivered 22.05.: received 25.05., default 26.05.
                    "default_date": date(2025, 5, 26),
                    "default_reason": "reminder",
                    # the reminder charged 16.-22.05. and keeps it; from now on interest
                    # runs only in default: 26.05.-05.06., nothing charged twice
                    "interest_date_from": date(2025, 5, 26),
                    "interest_days": 11,
                    "amount_flat_fee": 0.0,  # the reminder, in default already, charged it
                }
            ],
        )

    def test_payment_term_form_shows_the_flag_with_its_label(self):
        """It once landed beside the form's invisible company field, without a label."""
        arch = self.env["account.payment.term"].get_view(view_type="form")["arch"]
        from lxml import etree

        field = etree.fromstring(arch).xpath("//field[@name='dunning_calendar_due']")
        self.assertEqual(len(field), 1)
        self.assertEqual(field[0].getparent().tag, "group")
