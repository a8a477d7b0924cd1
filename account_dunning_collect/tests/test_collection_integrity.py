"""Integrity of the configuration and of collection cases: what users cannot change by hand."""

from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .test_collection import CollectionCommon


@tagged("post_install", "-at_install")
class TestCollectionIntegrity(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._dunning_user(
            "integrity_clerk",
            "account.group_account_invoice",
            "account_dunning_collect.group_dunning_user",
        )

    @contextmanager
    def assertRefused(self, exception, pattern):
        """``assertRaisesRegex`` in a savepoint: what the refused call wrote is rolled back."""
        with self.assertRaises(exception) as refused:
            yield refused
        self.assertRegex(str(refused.exception), pattern)

    def _policy(self, name, *levels):
        return self.env["dunning.policy"].create(
            {"name": name, "level_ids": [Command.create(level) for level in levels]}
        )

    def _short_policy(self):
        return self._policy(
            "Kurz",
            {"name": "Erinnerung", "sequence": 10, "delay_days": 10},
            {"name": "Inkasso", "sequence": 20, "delay_days": 30, "level_type": "collection"},
        )

    # ------------------------------------------------------------------
    # A level moved into another policy
    # ------------------------------------------------------------------

    def test_level_moved_into_another_policy_is_checked_there(self):
        target = self._short_policy()
        source = self._policy(
            "Lang",
            {"name": "Erinnerung lang", "sequence": 10, "delay_days": 7},
            {"name": "Letzte Mahnung", "sequence": 20, "delay_days": 60},
        )
        first, last = source.level_ids.sorted("delay_days")
        with self.assertRefused(
            ValidationError,
            r"Dunning policy 'Kurz': the handover to collection \('Inkasso'\) must be the last "
            r"level",
        ):
            last.policy_id = target
        self.assertEqual(last.policy_id, source)
        self.assertEqual(target.level_ids.mapped("delay_days"), [10, 30])
        # a move that keeps both policies in order is fine
        first.write({"policy_id": target.id, "sequence": 5})
        self.assertEqual(target.level_ids.sorted("delay_days").mapped("delay_days"), [7, 10, 30])
        self.assertEqual(source.level_ids.mapped("delay_days"), [60])

    def test_level_moved_out_checks_the_policy_it_leaves(self):
        target = self._short_policy()
        source = self._policy(
            "Zwei Stufen",
            {"name": "Einzige Mahnung", "sequence": 10, "delay_days": 7},
            {"name": "Inkasso zwei", "sequence": 20, "delay_days": 40, "level_type": "collection"},
        )
        letter_level = source.level_ids.filtered(lambda level: level.level_type == "letter")
        with self.assertRefused(
            ValidationError,
            "Dunning policy 'Zwei Stufen' needs at least one dunning letter before the handover "
            "to collection",
        ):
            letter_level.write({"policy_id": target.id, "sequence": 5})
        self.assertEqual(letter_level.policy_id, source)
        self.assertEqual(target.level_ids.mapped("delay_days"), [10, 30])
        # linked to the target policy's levels (the inverse field): just the same
        letter_level.sequence = 5
        with self.assertRefused(ValidationError, "'Zwei Stufen' needs at least one dunning"):
            target.write({"level_ids": [Command.link(letter_level.id)]})
        self.assertEqual(letter_level.policy_id, source)

    def test_level_used_by_letters_is_not_moved(self):
        target = self._short_policy()
        self._invoice(self.customer, 500.0, "2026-03-01")
        self._run("2026-03-22")
        self.assertEqual(self._letters().level_id, self.reminder)
        with self.assertRaises(UserError) as refused:
            self.reminder.write({"policy_id": target.id, "sequence": 5})
        self.assertEqual(
            str(refused.exception),
            f"Dunning level 'Payment reminder' is used by dunning letters: it cannot be moved "
            f"from policy '{self.policy.name}' to policy 'Kurz'. Create a new level in policy "
            f"'Kurz' instead.",
        )
        self.assertEqual(self.reminder.policy_id, self.policy)
        self.assertEqual(target.level_ids.mapped("delay_days"), [10, 30])

    # ------------------------------------------------------------------
    # Fees of another company
    # ------------------------------------------------------------------

    def test_fee_of_another_company_is_not_visible(self):
        other_company = self.setup_other_company(name="Filiale GmbH")["company"]
        usd = self.env.ref("base.USD")
        other_level = other_company.dunning_policy_id.level_ids.filtered("fee_product_id")
        self.assertEqual(other_level.name, "2nd dunning")
        Fee = self.env["dunning.level.fee"]
        own_fee = Fee.create({"level_id": self.dunning2.id, "currency_id": usd.id, "amount": 3.0})
        # set up in the other company, which the manager below does not work for
        other_fee = Fee.sudo().create(
            {"level_id": other_level.id, "currency_id": usd.id, "amount": 4.0}
        )
        self.assertEqual((own_fee.company_id, other_fee.company_id), (self.company, other_company))
        manager = self._dunning_user(
            "fee_manager",
            "account.group_account_invoice",
            "account_dunning_collect.group_dunning_manager",
        )
        fees = own_fee | other_fee
        self.assertEqual(Fee.with_user(manager).search([("id", "in", fees.ids)]), own_fee)
        with self.assertRaises(AccessError):
            other_fee.with_user(manager).read(["amount"])
        # working in both companies, he sees both
        manager.company_ids = [Command.link(other_company.id)]
        both = Fee.with_user(manager).with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        )
        self.assertEqual(both.search([("id", "in", fees.ids)]), fees)
