"""Test helpers other test modules (and later addons) reuse."""

from contextlib import contextmanager

from freezegun import freeze_time

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class DunningCommon(AccountTestInvoicingCommon):
    """A German company (EUR, SKR03) with the shipped default dunning policy."""

    @classmethod
    @AccountTestInvoicingCommon.setup_country("de")
    @AccountTestInvoicingCommon.setup_chart_template("de_skr03")
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "street": "Hauptstraße 1",
                "zip": "10115",
                "city": "Berlin",
                "email": "buchhaltung@example.com",
            }
        )
        cls.policy = cls.company.dunning_policy_id
        levels = cls.policy.level_ids.sorted("delay_days")
        cls.reminder, cls.dunning1, cls.dunning2, cls.handover_level = levels
        cls.term_14 = cls.env["account.payment.term"].create(
            {
                "name": "14 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 14})
                ],
            }
        )
        cls.customer = cls._create_customer(
            "Kunde GmbH", email="rechnung@kunde.example", is_company=True
        )
        cls.stop_dispute = cls.env.ref("account_dunning_collect.stop_reason_dispute")
        cls.stop_plan = cls.env.ref("account_dunning_collect.stop_reason_payment_plan")

    @classmethod
    def _create_customer(cls, name, email=None, is_company=True, address=True, **vals):
        values = {
            "name": name,
            "email": email,
            "is_company": is_company,
            "country_id": cls.env.ref("base.de").id,
            **vals,
        }
        if address:
            values.update(street="Musterweg 5", zip="20095", city="Hamburg")
        return cls.env["res.partner"].create(values)

    @classmethod
    def _dunning_user(cls, login, *groups):
        """A user of the test company with the given groups (xml ids)."""
        group_ids = [cls.env.ref(group).id for group in groups]
        return cls.env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "email": f"{login}@example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set(cls.company.ids)],
                "group_ids": [Command.set(group_ids)],
            }
        )

    @classmethod
    def _installments(cls, *days):
        """A payment term of equal installments due after ``days``."""
        share = 100 / len(days)
        return cls.env["account.payment.term"].create(
            {
                "name": " / ".join(f"{share:g} % in {day} days" for day in days),
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": share, "nb_days": day})
                    for day in days
                ],
            }
        )

    @classmethod
    def _invoice(
        cls, partner, amount, invoice_date, term=None, currency=None, move_type="out_invoice"
    ):
        """Post a customer invoice (or credit note) without taxes."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_payment_term_id": (term or cls.term_14).id
                if move_type == "out_invoice"
                else False,
                "currency_id": (currency or cls.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount, payment_date):
        """Register a payment of ``amount`` against ``invoice``."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": payment_date})
            ._create_payments()
        )

    @classmethod
    def _unapplied_payment(cls, partner, amount, payment_date):
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": payment_date,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    # whether ``_run`` delivers the letters it sends (see there)
    deliver_runs = True

    def _run(self, run_date, company=None, deliver=None):
        """Create and run a dunning run on ``run_date`` (a string).

        With ``deliver`` the letters it sends are delivered the same day (as if
        their e-mails went out and the post was printed at once), so that the
        next run may escalate them; tests of delivery itself pass False.
        """
        with freeze_time(run_date):
            run = (
                self.env["dunning.run"]
                .with_company(company or self.company)
                .create(
                    {
                        "date": fields.Date.to_date(run_date),
                        "company_id": (company or self.company).id,
                    }
                )
            )
            run.action_run()
            if self.deliver_runs if deliver is None else deliver:
                self._mark_delivered(run.letter_ids, run_date)
        return run

    def _mark_delivered(self, letters, when):
        """Deliver sent letters on ``when`` without making their documents."""
        letters = letters.filtered(
            lambda letter: letter.state == "sent" and not letter.delivered_date
        )
        with freeze_time(when):
            letters._mark_delivered(fields.Date.to_date(str(when)[:10]), {"delivery_state": "done"})
        return letters

    def _deliver_letters(self, when="2026-06-30 06:00:00"):
        """Run the delivery job as Odoo's cron runner does (its own cursor, commits)."""
        if not type(self)._registry_patched:
            self.registry_enter_test_mode()  # the job's cursor must see this test's data
        with freeze_time(when):
            self.env.ref("account_dunning_collect.ir_cron_dunning_delivery").method_direct_trigger()
        self.env.invalidate_all()

    def _letters(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["dunning.letter"].search(domain, order="id")

    @contextmanager
    def assertNoNewLetters(self):
        before = self.env["dunning.letter"].search_count([])
        yield
        self.assertEqual(self.env["dunning.letter"].search_count([]), before, "no letter expected")

    def _receivable_lines(self, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable").sorted(
            "date_maturity"
        )
