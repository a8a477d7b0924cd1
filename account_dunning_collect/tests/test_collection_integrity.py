"""Integrity of the configuration and of collection cases: what users cannot change by hand."""

import re
from contextlib import contextmanager
from datetime import date

from freezegun import freeze_time
from markupsafe import escape

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CollectionCommon


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

    # ------------------------------------------------------------------
    # Collection cases change through their actions only
    # ------------------------------------------------------------------

    def test_handed_over_case_cannot_be_changed_by_hand(self):
        invoice, case = self._handed_over_case()
        line = case.line_ids
        name = re.escape(case.name)
        as_clerk = case.with_user(self.clerk)
        with self.assertRaises(UserError) as refused:
            as_clerk.write({"state": "paid"})
        self.assertEqual(
            str(refused.exception),
            f"Collection case {case.name}: State cannot be changed by hand. Use the case's "
            f"actions: Hand Over, Acknowledged by Agency, Register Agency Remittance, Recall or "
            f"Write Off.",
        )
        with self.assertRefused(
            UserError, f"Collection case {name}: Amount Written Off, Close Date cannot be changed"
        ):
            as_clerk.write({"close_date": "2026-05-20", "amount_written_off": 1002.5})
        with self.assertRefused(UserError, f"{name}: Claim cannot be changed by hand"):
            as_clerk.write({"amount_total": 0.0})
        with self.assertRefused(
            UserError,
            f"Collection case {name} is Handed Over: Invoices can only change while the case is "
            f"proposed",
        ):
            as_clerk.write({"line_ids": [Command.delete(line.id)]})
        locked = (
            f"Collection case {name} is Handed Over: its invoices cannot be added, changed or "
            f"removed by hand, only those of a proposal"
        )
        with self.assertRefused(UserError, locked):
            line.with_user(self.clerk).unlink()
        with self.assertRefused(UserError, locked):
            line.with_user(self.clerk).write({"principal": 1.0})
        with self.assertRefused(UserError, locked):
            line.with_user(self.clerk).write({"description": "Rabatt"})
        with self.assertRefused(UserError, locked):
            self.env["collection.case.line"].with_user(self.clerk).create(
                {"case_id": case.id, "move_id": invoice.id}
            )
        with self.assertRefused(
            UserError,
            f"Collection case {name}: its payments are recorded by 'Register Agency Remittance'",
        ):
            self.env["collection.case.payment"].with_user(self.clerk).create(
                {"case_id": case.id, "date": "2026-05-20", "kind": "direct", "amount": 1002.5}
            )
        self.assertRecordValues(
            case,
            [
                {
                    "state": "handed_over",
                    "close_date": False,
                    "amount_written_off": 0.0,
                    "amount_total": 1002.5,
                    "amount_collected": 0.0,
                    "payment_ids": [],
                }
            ],
        )
        self.assertRecordValues(
            line,
            [
                {
                    "move_id": invoice.id,
                    "principal": 1000.0,
                    "open_at_handover": 1002.5,
                    "description": "Consulting",
                }
            ],
        )

    def test_payments_come_from_the_remittance_only(self):
        __, case = self._handed_over_case()
        wizard = (
            self.env["collection.remittance"]
            .with_user(self.clerk)
            .with_context(default_case_id=case.id)
            .create({"amount": 500.0, "date": "2026-06-10"})
        )
        wizard.action_confirm()
        payment = case.payment_ids
        self.assertRecordValues(
            payment,
            [{"kind": "agency", "amount": 500.0, "commission": 100.0, "date": date(2026, 6, 10)}],
        )
        with self.assertRefused(
            UserError, f"Collection case {re.escape(case.name)}: its payments are recorded by"
        ):
            payment.with_user(self.clerk).write({"amount": 1002.5})
        with self.assertRaises(AccessError):
            payment.with_user(self.clerk).unlink()
        self.assertRecordValues(
            case,
            [{"state": "partially_paid", "amount_collected": 500.0, "amount_open": 502.5}],
        )
        self.assertEqual(payment.amount, 500.0)

    def test_proposal_amounts_are_not_typed_in(self):
        invoice = self._invoice(self.customer, 500.0, "2026-03-01")
        case = self.env["collection.case"].search(invoice.action_collection_propose()["domain"])
        line = case.line_ids
        with self.assertRaises(UserError) as refused:
            line.with_user(self.clerk).write({"principal": 1.0})
        self.assertEqual(
            str(refused.exception),
            f"Collection case {case.name}: Principal of its invoices are taken from the invoices "
            f"and their dunning letters and cannot be entered by hand. Hand Over brings them up "
            f"to date.",
        )
        with self.assertRefused(UserError, "State cannot be changed by hand"):
            case.with_user(self.clerk).write({"state": "handed_over"})
        with self.assertRefused(
            UserError, "A new collection case is a proposal: State cannot be set by hand"
        ):
            self.env["collection.case"].with_user(self.clerk).create(
                {
                    "agency_id": self.agency.id,
                    "partner_id": self.customer.id,
                    "currency_id": self.company.currency_id.id,
                    "state": "paid",
                }
            )
        # what is no amount may change while the case is proposed
        line.with_user(self.clerk).write({"description": "Beratung März"})
        self.assertRecordValues(case, [{"state": "draft", "amount_principal": 500.0}])
        # the handover brings the principal up to date
        self._pay(invoice, 100.0, "2026-03-20")
        with freeze_time("2026-05-03"):
            case.with_user(self.clerk).action_handover()
        self.assertRecordValues(case, [{"state": "handed_over", "handover_date": date(2026, 5, 3)}])
        self.assertRecordValues(
            line,
            [{"principal": 400.0, "open_at_handover": 400.0, "description": "Beratung März"}],
        )

    def test_dunning_user_works_the_case_through_its_actions(self):
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases(self.customer).with_user(self.clerk)
        with freeze_time("2026-05-04"):
            case.action_handover()
        with freeze_time("2026-05-06"):
            case.action_acknowledge()
        self.assertRecordValues(
            case,
            [
                {
                    "state": "acknowledged",
                    "handover_date": date(2026, 5, 4),
                    "acknowledge_date": date(2026, 5, 6),
                    "user_id": self.clerk.id,
                }
            ],
        )
        self.assertEqual(case.line_ids.open_at_handover, 1002.5)
        self.assertTrue(case.export_attachment_id)
        self.env["collection.remittance"].with_user(self.clerk).with_context(
            default_case_id=case.id
        ).create({"amount": 500.0, "date": "2026-06-10"}).action_confirm()
        self.assertRecordValues(case, [{"state": "partially_paid", "amount_collected": 500.0}])
        self.env["collection.case.close"].with_user(self.clerk).with_context(
            active_ids=case.ids
        ).create(
            {"mode": "write_off", "reason": "Insolvent", "date": "2026-07-01"}
        ).action_confirm()
        self.assertRecordValues(
            case,
            [
                {
                    "state": "written_off",
                    "amount_written_off": 502.5,
                    "write_off_reason": "Insolvent",
                    "close_date": date(2026, 7, 1),
                }
            ],
        )
        self.assertEqual(invoice.amount_residual, 0.0)

    def test_dunning_user_recalls_and_direct_payments_are_recorded(self):
        invoice, case = self._handed_over_case()
        self._pay(invoice, 300.0, "2026-05-15")
        self._sync("2026-05-16 06:00:00")  # the hourly job records the direct payment
        self.assertRecordValues(
            case.payment_ids, [{"kind": "direct", "amount": 300.0, "date": date(2026, 5, 16)}]
        )
        self.assertEqual(case.state, "partially_paid")
        with freeze_time("2026-05-25"):
            self.env["collection.case.close"].with_user(self.clerk).with_context(
                active_ids=case.ids
            ).create({"mode": "recall", "reason": "Pays us directly"}).action_confirm()
        self.assertRecordValues(
            case,
            [
                {
                    "state": "recalled",
                    "recall_reason": "Pays us directly",
                    "close_date": date(2026, 5, 25),
                }
            ],
        )

    def test_only_a_dunning_user_acts_on_cases(self):
        __, case = self._handed_over_case()
        invoicer = self._dunning_user("integrity_invoicer", "account.group_account_invoice")
        with self.assertRefused(
            AccessError, f"Only a Dunning User can act on collection case {re.escape(case.name)}"
        ):
            case.with_user(invoicer).action_acknowledge()
        self.assertEqual(case.state, "handed_over")

    # ------------------------------------------------------------------
    # The agency's e-mail
    # ------------------------------------------------------------------

    def test_email_to_the_agency_escapes_the_debtor(self):
        self.agency.write({"delivery": "email", "delivery_email": "claims@inkasso-nord.example"})
        self.customer.name = "Kunde <b>&</b> Söhne"
        __, case = self._handed_over_case()
        message = case.message_log_ids
        with freeze_time("2026-05-03 08:00:00"):
            self.assertTrue(message._deliver_one())
        mail = self.env["mail.mail"].search(
            [("model", "=", "collection.case"), ("res_id", "=", case.id)]
        )
        self.assertEqual(
            mail.body_html,
            f"<p>Please find attached the data of collection case {case.name} (Kunde "
            f"&lt;b&gt;&amp;&lt;/b&gt; Söhne) in JSON format.</p>"
            f"<p>{escape(self.company.name)}</p>",
        )
        self.assertEqual(mail.subject, f"New collection case {case.name}: Kunde <b>&</b> Söhne")
