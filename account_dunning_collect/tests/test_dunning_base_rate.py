from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBaseRate(TransactionCase):
    def test_shipped_rates(self):
        rates = self.env["dunning.base.rate"].search([], order="date_from")
        self.assertEqual(
            [(str(r.date_from), r.rate) for r in rates],
            [
                ("2016-07-01", -0.88),
                ("2023-01-01", 1.62),
                ("2023-07-01", 3.12),
                ("2024-01-01", 3.62),
                ("2024-07-01", 3.37),
                ("2025-01-01", 2.27),
                ("2025-07-01", 1.27),
                ("2026-01-01", 1.27),
            ],
        )

    def test_missing_current_rate(self):
        BaseRate = self.env["dunning.base.rate"]
        self.assertFalse(BaseRate._missing_current_rate(date(2026, 6, 30)))
        self.assertFalse(BaseRate._missing_current_rate(date(2020, 3, 1)))  # -0.88 until 2022
        self.assertEqual(BaseRate._missing_current_rate(date(2026, 7, 1)), date(2026, 7, 1))
        BaseRate.create({"date_from": "2026-07-01", "rate": 1.77})
        self.assertFalse(BaseRate._missing_current_rate(date(2026, 11, 22)))

    def test_overlap_refused_unusual_date_allowed(self):
        BaseRate = self.env["dunning.base.rate"]
        with self.assertRaisesRegex(ValidationError, "overlaps the one valid from 2026-01-01"):
            BaseRate.create({"date_from": "2026-03-01", "rate": 2.0})
        unusual = BaseRate.create({"date_from": "2026-08-15", "rate": 2.0})
        self.assertTrue(unusual.unusual_date)
        warning = unusual._onchange_date_from_warning()["warning"]
        self.assertIn("2026-08-15 is allowed", warning["message"])
        self.assertIsNone(
            self.env.ref("account_dunning_collect.base_rate_2026_01")._onchange_date_from_warning()
        )
        self.assertFalse(self.env.ref("account_dunning_collect.base_rate_2026_01").unusual_date)
