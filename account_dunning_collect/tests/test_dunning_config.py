from lxml import etree

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import DunningCommon, load_german


@tagged("post_install", "-at_install")
class TestDunningConfig(DunningCommon):
    def test_default_policy_shipped(self):
        self.assertRecordValues(
            self.policy.level_ids.sorted("delay_days"),
            [
                {
                    "name": "Payment reminder",
                    "level_type": "letter",
                    "delay_days": 7,
                    "channel": "email",
                    "deadline_days": 3,
                },
                {
                    "name": "1st dunning",
                    "level_type": "letter",
                    "delay_days": 21,
                    "channel": "email",
                    "deadline_days": 7,
                },
                {
                    "name": "2nd dunning",
                    "level_type": "letter",
                    "delay_days": 35,
                    "channel": "letter",
                    "deadline_days": 7,
                },
                {
                    "name": "Handover to collection",
                    "level_type": "collection",
                    "delay_days": 49,
                    "channel": "letter",
                    "deadline_days": 0,
                },
            ],
        )
        self.assertFalse(self.policy.collection_agency_id)
        self.assertEqual(self.policy.company_id, self.company)
        self.assertEqual(
            self.env["dunning.stop.reason"].search([]).mapped("code"),
            ["dispute", "payment_plan", "insolvency", "deferral", "other"],
        )

    def test_levels_must_increase(self):
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self.dunning1.delay_days = 40
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self.env["dunning.policy"].create(
                {
                    "name": "Equal days",
                    "level_ids": [
                        Command.create({"name": "A", "delay_days": 10, "sequence": 1}),
                        Command.create({"name": "B", "delay_days": 10, "sequence": 2}),
                    ],
                }
            )

    def test_negative_values_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.reminder.delay_days = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.policy.minimum_amount = -5

    def test_policy_needs_a_level(self):
        with self.assertRaisesRegex(ValidationError, "needs at least one level"):
            self.env["dunning.policy"].create({"name": "Empty"})

    def test_policy_form(self):
        with Form(self.env["dunning.policy"]) as form:
            form.name = "Form policy"
            with form.level_ids.new() as level:
                level.name = "Erinnerung"
                level.delay_days = 5
        self.assertEqual(form.record.level_ids.delay_days, 5)
        self.assertEqual(form.record.company_id, self.env.company)

    def test_policy_of_another_company_refused(self):
        company_b = self.setup_other_company(name="Dritte GmbH")["company"]
        with self.assertRaisesRegex(ValidationError, "must belong to that company"):
            self.company.dunning_policy_id = company_b.dunning_policy_id
        with self.assertRaisesRegex(ValidationError, "cannot be used for"):
            self.customer.with_company(self.company).dunning_policy_id = company_b.dunning_policy_id

    def test_user_cannot_change_policies(self):
        user = self._dunning_user("clerk_config", "account_dunning_collect.group_dunning_user")
        self.assertEqual(self.policy.with_user(user).name, self.policy.name)
        with self.assertRaises(AccessError):
            self.policy.with_user(user).write({"grace_days": 3})
        with self.assertRaises(AccessError):
            self.reminder.with_user(user).write({"delay_days": 3})
        with self.assertRaises(AccessError):
            self.env["dunning.stop.reason"].with_user(user).create({"name": "X", "code": "x"})

    def test_account_manager_is_dunning_manager(self):
        admin = self._dunning_user("acc_admin", "account.group_account_manager")
        self.assertTrue(admin.has_group("account_dunning_collect.group_dunning_manager"))

    def test_new_company_gets_default_policy(self):
        company = self.env["res.company"].create({"name": "Neu GmbH"})
        self.assertEqual(company.dunning_policy_id.company_id, company)
        self.assertEqual(company.dunning_policy_id.level_ids.mapped("delay_days"), [7, 21, 35, 49])

    def test_german_translations(self):
        load_german(self.env)
        company = self.env["res.company"].create({"name": "Übersetzt GmbH"})
        policy = company.dunning_policy_id.with_context(lang="de_DE")
        self.assertEqual(policy.name, "Standard-Mahnverfahren (Deutschland)")
        levels = policy.level_ids.sorted("delay_days")
        self.assertEqual(
            levels.mapped("name"),
            ["Zahlungserinnerung", "1. Mahnung", "2. Mahnung", "Übergabe an das Inkasso"],
        )
        self.assertIn("Trotz unserer Zahlungserinnerung", levels[1].letter_text)
        self.assertEqual(
            self.env.ref("account_dunning_collect.stop_reason_payment_plan")
            .with_context(lang="de_DE")
            .name,
            "Ratenzahlung",
        )
        # every shipped e-mail in German: a reformatted template whose .po entry
        # no longer matches falls back to English silently
        templates = self.env["mail.template"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", "account_dunning_collect"), ("model", "=", "mail.template")])
            .mapped("res_id")
        )
        self.assertEqual(len(templates), 5)
        for template in templates:
            german = template.with_context(lang="de_DE")
            self.assertIn("Sehr geehrte Damen und Herren,", german.body_html, template.name)
            self.assertNotIn("Dear Sir or Madam", german.body_html, template.name)

    def test_level_form_shows_currency_fees_with_the_fee(self):
        """The fees in other currencies sat below "Letter and e-mail", apart from the fee."""
        arch = self.env["dunning.policy"].get_view(view_type="form")["arch"]
        root = etree.fromstring(arch)
        [table] = root.xpath("//field[@name='level_ids']/form//field[@name='fee_ids']")
        self.assertEqual(table.getparent().get("name"), "fee")
        self.assertEqual(
            [field.get("name") for field in table.getparent().xpath("./field")],
            ["fee_product_id", "fee_amount", "currency_id", "fee_ids"],
        )
