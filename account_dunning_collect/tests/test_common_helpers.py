"""The helpers other addons' tests use (tests/common.py) do what they promise."""

from odoo.tests import tagged

from .common import DunningCommon, run_dunning, trap_letters


@tagged("post_install", "-at_install")
class TestCommonHelpers(DunningCommon):
    def test_trap_letters_and_run_dunning(self):
        other = self._create_customer("Zweite AG", email="z@example.com")
        self._invoice(self.customer, 1000.0, "2026-03-01")  # due 15 March
        self._invoice(other, 250.0, "2026-03-01")
        with trap_letters(self.env, self.company) as trap:
            run = run_dunning(self.env, "2026-03-22", self.company, deliver=False)
        trap.assert_count(2)
        letter = trap.assert_letter(
            self.customer, level_id=self.reminder, amount_total=1000.0, state="sent"
        )
        self.assertEqual(letter.run_id, run)
        self.assertFalse(letter.delivered_date)
        self.assertEqual(trap.deliver("2026-03-23"), trap.letters)
        self.assertEqual(str(letter.delivered_date), "2026-03-23")
        # what a failing assertion says: the letter and what differs
        with self.assertRaisesRegex(AssertionError, r"amount_total is 1000.0, not 999.0"):
            trap.assert_letter(self.customer, amount_total=999.0)
        with self.assertRaisesRegex(AssertionError, "3 letters expected, 2 written"):
            trap.assert_count(3)
        # a second block traps only what is written inside it
        with trap_letters(self.env, self.company) as second:
            run_dunning(self.env, "2026-03-22", self.company)
        second.assert_count(0)
