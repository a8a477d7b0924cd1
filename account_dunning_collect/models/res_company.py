from odoo import api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_POLICY_XMLID = "account_dunning_collect.dunning_policy_default"
# how Odoo's Factur-X/UBL export (account_edi_ubl_cii) says why a line carries no VAT:
# category O, outside the scope of VAT ("Not subject to VAT")
CHARGE_TAX_CATEGORY = "O"
CHARGE_TAX_EXEMPTION = "VATEX-EU-O"


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_policy_id = fields.Many2one(
        "dunning.policy",
        string="Default Dunning Policy",
        check_company=True,
        help="Policy for customers that have none of their own.",
    )
    # bumped by every dunning run right after it takes its lock (see
    # dunning.run._claim_snapshot); never shown
    dunning_run_serial = fields.Integer(readonly=True, copy=False)
    dunning_approval_required = fields.Boolean(
        string="Approve All Dunning Letters",
        help="Every dunning letter of this company waits for a manager's approval.",
    )
    dunning_consumer_default_notice = fields.Boolean(
        string="Invoices Point Out Default After 30 Days",
        help="The company's invoices to consumers say that they fall into default 30 days "
        "after the due date (BGB §286(3) sentence 1): then consumers too are in default "
        "30 days after the due date without a reminder. Without that notice, only a "
        "reminder puts a consumer in default.",
    )
    dunning_charge_tax_id = fields.Many2one(
        "account.tax",
        string="Tax on Dunning Charges",
        check_company=True,
        ondelete="set null",
        domain="[('type_tax_use', '=', 'sale'), ('amount', '=', 0)]",
        help="The tax of every line of the invoices of dunning fees, default interest and "
        "§288(5) flat fees: a 0 % sales tax that says why they carry no VAT (damages, "
        "UStAE 1.3). The addon sets one up for each company (VAT category O, outside the "
        "scope of VAT, in the e-invoice XML).",
    )
    # what a German business letter must name besides the registry number
    # (company_registry) and the VAT ID: §35a GmbHG, §37a HGB, §80 AktG
    dunning_register_court = fields.Char(
        string="Register Court",
        help="The court keeping the commercial register, e.g. Amtsgericht Berlin-Charlottenburg. "
        "Printed with the register number (Company ID) in the footer of dunning letters.",
    )
    dunning_managing_directors = fields.Char(
        string="Managing Directors",
        help="Names of the managing directors (or the board), printed in the footer of dunning "
        "letters.",
    )

    @api.constrains("dunning_policy_id")
    def _check_dunning_policy_company(self):
        for company in self:
            policy = company.dunning_policy_id
            if policy and policy.company_id != company:
                raise ValidationError(
                    self.env._(
                        "The default dunning policy of %(company)s must belong to that company; "
                        "'%(policy)s' belongs to %(other)s.",
                        company=company.name,
                        policy=policy.name,
                        other=policy.company_id.name,
                    )
                )

    @api.constrains("dunning_charge_tax_id")
    def _check_dunning_charge_tax(self):
        for company in self:
            problem = company._dunning_charge_tax_problem()
            if problem:
                raise ValidationError(problem)

    def _dunning_charge_tax_problem(self):
        """What makes the company's tax on dunning charges unfit, as a message; or None.

        Charges are damages (UStAE 1.3): the tax must charge no VAT, on sales, and be
        one the company may use (its own or its parent company's).
        """
        self.ensure_one()
        tax = self.dunning_charge_tax_id
        if not tax:
            return None
        if tax.company_id not in self.parent_ids:
            return self.env._(
                "'%(tax)s' belongs to %(other)s and cannot be the tax on dunning charges of "
                "%(company)s: choose one of %(company)s's taxes in Settings > Dunning.",
                tax=tax.display_name,
                other=tax.company_id.name,
                company=self.name,
            )
        if tax.type_tax_use != "sale":
            return self.env._(
                "'%(tax)s' is the tax on dunning charges of %(company)s and must be a sales "
                "tax: set its Tax Type to Sales or choose another tax in Settings > Dunning.",
                tax=tax.display_name,
                company=self.name,
            )
        if tax.amount_type != "percent" or tax.amount:
            return self.env._(
                "'%(tax)s' is the tax on dunning charges of %(company)s and must be a "
                "percentage of %(zero)s (dunning fees and default interest are damages and "
                "carry no VAT): choose such a tax in Settings > Dunning.",
                tax=tax.display_name,
                company=self.name,
                zero="0 %",
            )
        if not tax.active:
            return self.env._(
                "'%(tax)s' is the tax on dunning charges of %(company)s and cannot be "
                "archived: choose another tax in Settings > Dunning first.",
                tax=tax.display_name,
                company=self.name,
            )
        return None

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._dunning_ensure_default_policy()
        return companies

    def _dunning_ensure_default_policy(self):
        """Give each company without a default policy a copy of the shipped one.

        The shipped policy (data record ``dunning_policy_default``) carries the
        translations of its names and texts, which a copy keeps.
        """
        template = self.env.ref(DEFAULT_POLICY_XMLID, raise_if_not_found=False)
        Policy = self.env["dunning.policy"].sudo()  # set up by the system, not a user's choice
        for company in self.filtered(lambda c: not c.dunning_policy_id):
            policy = Policy.search([("company_id", "=", company.id)], limit=1)
            if not policy and template:
                policy = template.sudo().copy({"company_id": company.id})
            if policy:
                company.sudo().dunning_policy_id = policy

    def _dunning_charge_tax(self):
        """The tax of the lines of this company's charge invoices, set up when missing."""
        self.ensure_one()
        self._dunning_ensure_charge_tax()
        return self.dunning_charge_tax_id

    def _dunning_ensure_charge_tax(self):
        """Give each company without a tax on dunning charges the addon's 0 % tax.

        Branches use their root company's tax, as they use its other taxes. A tax
        the addon made before (the setting was cleared) is taken again rather than
        made twice.
        """
        for company in self:
            if company.dunning_charge_tax_id:
                continue
            root = company.root_id
            if root != company:
                root._dunning_ensure_charge_tax()
                tax = root.dunning_charge_tax_id
            else:
                tax = company._dunning_find_charge_tax() or company._dunning_create_charge_tax()
            company.sudo().dunning_charge_tax_id = tax  # set up by the system, not a user's choice

    def _dunning_charge_tax_texts(self):
        """Name, label, legal note and tax group name of the tax, in the env's language."""
        return {
            "name": self.env._("Not Taxable (Damages, UStAE 1.3)"),
            "invoice_label": self.env._("Not taxable (damages)"),
            "invoice_legal_notes": self.env._(
                "Dunning fees, default interest and the flat fee of BGB §288(5) are damages, "
                "not payment for a supply: they are not subject to VAT (UStAE 1.3)."
            ),
            "group": self.env._("Not Taxable"),
        }

    def _dunning_find_charge_tax(self):
        self.ensure_one()
        name = self.with_context(lang="en_US")._dunning_charge_tax_texts()["name"]
        return (
            self.env["account.tax"]
            .sudo()  # finding the company's own tax again, whoever triggers it
            .with_context(lang="en_US")
            .search(
                [
                    ("company_id", "=", self.id),
                    ("name", "=", name),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", 0.0),
                ],
                limit=1,
            )
        )

    def _dunning_create_charge_tax(self):
        """Create the company's 0 % sales tax for dunning charges, in every installed language.

        It has no tax tags and no tax account: charges are damages, outside the
        scope of VAT, and belong in no line of the VAT return.
        """
        self.ensure_one()
        texts = self.with_context(lang="en_US")._dunning_charge_tax_texts()
        Tax = self.env["account.tax"].sudo().with_context(lang="en_US")  # set up by the system
        tax = Tax.create(
            {
                "name": texts["name"],
                "invoice_label": texts["invoice_label"],
                "invoice_legal_notes": f"<p>{texts['invoice_legal_notes']}</p>",
                "company_id": self.id,
                "type_tax_use": "sale",
                "amount_type": "percent",
                "amount": 0.0,
                "tax_group_id": self._dunning_charge_tax_group(texts["group"]).id,
                "ubl_cii_tax_category_code": CHARGE_TAX_CATEGORY,
                "ubl_cii_tax_exemption_reason_code": CHARGE_TAX_EXEMPTION,
            }
        )
        for lang, __ in self.env["res.lang"].get_installed():
            if lang == "en_US":
                continue
            translated = self.with_context(lang=lang)._dunning_charge_tax_texts()
            tax.update_field_translations("name", {lang: translated["name"]})
            tax.update_field_translations("invoice_label", {lang: translated["invoice_label"]})
            # an HTML field is translated term by term
            tax.update_field_translations(
                "invoice_legal_notes",
                {lang: {texts["invoice_legal_notes"]: translated["invoice_legal_notes"]}},
            )
        return tax

    def _dunning_charge_tax_group(self, name):
        """The chart's 0 % tax group (SKR03/SKR04: USt 0%), else a group of our own."""
        self.ensure_one()
        country = self.account_fiscal_country_id or self.country_id
        group = (
            self.env["account.chart.template"]
            .with_company(self)
            .ref("tax_group_0", raise_if_not_found=False)
        )
        if group and group.country_id in (country, self.env["res.country"]):
            return group
        Group = self.env["account.tax.group"].sudo().with_context(lang="en_US")  # as the tax
        return Group.search(
            [("company_id", "=", self.id), ("country_id", "=", country.id), ("name", "=", name)],
            limit=1,
        ) or Group.create({"name": name, "company_id": self.id, "country_id": country.id})
