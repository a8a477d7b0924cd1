from odoo import api, fields, models
from odoo.exceptions import ValidationError

DEFAULT_POLICY_XMLID = "account_dunning_collect.dunning_policy_default"


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
