"""Test helpers for this addon's tests and for addons that extend it.

Another addon's tests use them without subclassing anything of ours::

    from odoo.addons.account_dunning_collect.tests.common import run_dunning, trap_letters

    with trap_letters(self.env) as trap:
        run_dunning(self.env, "2026-03-22")
    trap.assert_count(1)
    trap.assert_letter(partner, level=my_level, amount_total=1005.0, state="sent")

or build on ``DunningCommon``: a German company (EUR, SKR03), the shipped
policy, a customer and helpers to invoice, pay and run.
"""

from contextlib import contextmanager

from freezegun import freeze_time

from odoo import fields
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


def run_dunning(env, run_date, company=None, deliver=True):
    """Run the dunning of ``company`` (default: the env's) on ``run_date`` ("YYYY-MM-DD").

    With ``deliver`` the letters it sends are delivered the same day, as if
    their e-mails went out and the post was printed at once, so that the next
    run may escalate them; pass False to test delivery itself.
    """
    company = company or env.company
    with freeze_time(run_date):
        run = (
            env["dunning.run"]
            .with_company(company)
            .create({"date": fields.Date.to_date(run_date), "company_id": company.id})
        )
        run.action_run()
        if deliver:
            mark_delivered(run.letter_ids, run_date)
    return run


def load_german(env):
    """Activate German and load the addon's German texts (de.po) into ``env``'s database."""
    env["res.lang"]._activate_lang("de_DE")
    env["ir.module.module"]._load_module_terms(
        ["account_dunning_collect"], ["de_DE"], overwrite=True
    )


def mark_delivered(letters, when):
    """Deliver the sent letters among ``letters`` on ``when`` without making documents."""
    letters = letters.filtered(lambda letter: letter.state == "sent" and not letter.delivered_date)
    with freeze_time(when):
        letters._mark_delivered(fields.Date.to_date(str(when)[:10]), {"delivery_state": "done"})
    return letters


class LetterTrap:
    """The letters written while a ``trap_letters`` block ran, with assertions."""

    def __init__(self, env, company):
        self.env = env
        self.company = company
        self._last_id = env["dunning.letter"].sudo().search([], order="id desc", limit=1).id or 0

    @property
    def letters(self):
        domain = [("id", ">", self._last_id)]
        if self.company:
            domain.append(("company_id", "=", self.company.id))
        ids = self.env["dunning.letter"].sudo().search(domain, order="id").ids
        return self.env["dunning.letter"].browse(ids)

    def assert_count(self, count):
        letters = self.letters
        if len(letters) != count:
            raise AssertionError(
                f"{count} letters expected, {len(letters)} written: "
                + ", ".join(f"{letter.name} ({letter.partner_id.name})" for letter in letters)
            )

    def assert_letter(self, partner, **values):
        """The one new letter of ``partner``, checked against ``values`` (field: value)."""
        letters = self.letters.filtered(lambda letter: letter.partner_id == partner)
        if len(letters) != 1:
            raise AssertionError(f"one letter expected for {partner.name}, {len(letters)} written")
        differences = {
            name: (letters[name], expected)
            for name, expected in values.items()
            if letters[name] != expected
        }
        if differences:
            raise AssertionError(
                f"{letters.name}: "
                + "; ".join(
                    f"{name} is {got!r}, not {want!r}" for name, (got, want) in differences.items()
                )
            )
        return letters

    def deliver(self, when):
        """Deliver the trapped letters that were sent (see ``mark_delivered``)."""
        return mark_delivered(self.letters, when)


@contextmanager
def trap_letters(env, company=None):
    """Collect the dunning letters written inside the block (see ``LetterTrap``)."""
    yield LetterTrap(env, company)


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
    def _company_bank_account(cls, bank_name=None):
        """The company's trusted bank account (IBAN DE89 3704 0044 0532 0130 00), at the
        bank ``bank_name`` (BIC COBADEFFXXX) when given: the letter's bank block and
        GiroCode, and what e-invoices of the company require."""
        bank = bank_name and cls.env["res.bank"].create({"name": bank_name, "bic": "COBADEFFXXX"})
        return cls.env["res.partner.bank"].create(
            {
                "acc_number": "DE89370400440532013000",
                "partner_id": cls.company.partner_id.id,
                "bank_id": bank and bank.id,
                "company_id": cls.company.id,
                "allow_out_payment": True,  # trusted, as invoices require
            }
        )

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
        """Run the dunning on ``run_date``; see ``run_dunning`` (``deliver`` defaults
        to the class's ``deliver_runs``)."""
        deliver = self.deliver_runs if deliver is None else deliver
        return run_dunning(self.env, run_date, company or self.company, deliver)

    def _mark_delivered(self, letters, when):
        return mark_delivered(letters, when)

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


@tagged("post_install", "-at_install")
class CollectionCommon(DunningCommon):
    """``DunningCommon`` with an active collection agency (JSON by download) on the policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency_partner = cls.env["res.partner"].create(
            {
                "name": "Inkasso Nord GmbH",
                "is_company": True,
                "email": "auftrag@inkasso-nord.example",
                "street": "Am Hafen 3",
                "zip": "20457",
                "city": "Hamburg",
                "country_id": cls.env.ref("base.de").id,
            }
        )
        Account = cls.env["account.account"]
        cls.commission_account = Account.search(
            [("company_ids", "in", cls.company.id), ("account_type", "=", "expense")], limit=1
        )
        cls.agency = cls.env["collection.agency"].create(
            {
                "partner_id": cls.agency_partner.id,
                "company_id": cls.company.id,
                "min_amount": 100.0,
                "delay_days": 14,
                "commission_percent": 20.0,
                "expense_account_id": cls.commission_account.id,
                "write_off_account_id": cls.commission_account.id,
                "export_format": "json",
                "delivery": "download",
            }
        )
        cls.agency.action_confirm()
        cls.policy.collection_agency_id = cls.agency
        cls.customer.write({"phone": "+49 40 555123", "ref": "K-1001"})

    def _dun_to_the_end(self, dates=("2026-03-22", "2026-04-05", "2026-04-19")):
        for run_date in dates:
            self._run(run_date)

    def _cases(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["collection.case"].search(domain, order="id")

    def _sync(self, when="2026-05-20 06:00:00"):
        """Run the collection job as Odoo's cron runner does (its own cursor, commits)."""
        if not type(self)._registry_patched:
            self.registry_enter_test_mode()
        with freeze_time(when):
            self.env.ref("account_dunning_collect.ir_cron_collection_sync").method_direct_trigger()
        self.env.invalidate_all()

    def _handed_over_case(self, amount=1000.0):
        """An invoice dunned to the end and handed over on 3 May (49 days after due)."""
        invoice = self._invoice(self.customer, amount, "2026-03-01")
        self._dun_to_the_end()
        self._run("2026-05-03")
        case = self._cases(self.customer)
        with freeze_time("2026-05-03"):
            case.action_handover()
        return invoice, case

    def _remit(self, case, amount, **values):
        """Register an agency remittance of ``amount`` for ``case`` on 10 June."""
        wizard = (
            self.env["collection.remittance"]
            .with_context(default_case_id=case.id)
            .create({"amount": amount, "date": "2026-06-10", **values})
        )
        wizard.action_confirm()
        return wizard
