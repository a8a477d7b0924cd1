from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "dunning.stop.mixin"]

    dunning_policy_id = fields.Many2one(
        "dunning.policy",
        company_dependent=True,
        help="Empty: the company's default dunning policy applies.",
    )
    dunning_debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        string="Debtor Type",
        compute="_compute_dunning_debtor_type",
        store=True,
        readonly=False,
        help="Statutory default interest is the base rate plus 9 points for businesses and 5 "
        "for consumers (BGB §288); the 40 EUR flat fee applies to businesses only. Computed "
        "from 'Company', can be overridden.",
    )
    # Odoo 19 has no partner titles any more: the salutation of letters needs
    # to know how to address a person
    dunning_form_of_address = fields.Selection(
        [("ms", "Ms"), ("mr", "Mr")],
        string="Form of Address",
        help="How letters address this person: 'Dear Ms <last name>' / 'Sehr geehrte Frau "
        "<Nachname>'. Empty: 'Hello <full name>'. Companies are addressed as 'Dear Sir or "
        "Madam'.",
    )
    dunning_letter_ids = fields.One2many("dunning.letter", "partner_id", string="Dunning Letters")
    dunning_letter_count = fields.Integer(compute="_compute_dunning_info")
    dunning_level_id = fields.Many2one(
        "dunning.level",
        string="Current Dunning Level",
        compute="_compute_dunning_info",
        help="Highest level reached by the partner's open items.",
    )
    dunning_last_letter_id = fields.Many2one(
        "dunning.letter", string="Last Dunning Letter", compute="_compute_dunning_info"
    )

    @api.depends("is_company", "parent_id.is_company")
    def _compute_dunning_debtor_type(self):
        for partner in self:
            commercial = (
                partner.parent_id if partner.parent_id and not partner.is_company else partner
            )
            partner.dunning_debtor_type = "business" if commercial.is_company else "consumer"

    @api.constrains("dunning_policy_id")
    def _check_dunning_policy_company(self):
        for partner in self:
            policy = partner.dunning_policy_id
            if policy and policy.company_id != self.env.company:
                raise ValidationError(
                    self.env._(
                        "Dunning policy '%(policy)s' belongs to %(other)s and cannot be used for "
                        "%(partner)s in %(company)s.",
                        policy=policy.name,
                        other=policy.company_id.name,
                        partner=partner.display_name,
                        company=self.env.company.name,
                    )
                )

    @api.depends_context("company")
    def _compute_dunning_info(self):
        commercial = self.commercial_partner_id
        letters = self.env["dunning.letter"]._read_group(
            [("partner_id", "in", commercial.ids), ("state", "!=", "cancelled")],
            ["partner_id"],
            ["__count", "id:max"],
        )
        letter_info = {partner: (count, max_id) for partner, count, max_id in letters}
        open_levels = self.env["account.move"]._read_group(
            [
                ("commercial_partner_id", "in", commercial.ids),
                ("dunning_level_id", "!=", False),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            ["commercial_partner_id", "dunning_level_id"],
        )
        level_by_partner = {}
        for partner, level in open_levels:
            best = level_by_partner.get(partner)
            if not best or level.delay_days > best.delay_days:
                level_by_partner[partner] = level
        Letter = self.env["dunning.letter"]
        for partner in self:
            count, max_id = letter_info.get(partner.commercial_partner_id, (0, False))
            partner.dunning_letter_count = count
            partner.dunning_last_letter_id = Letter.browse(max_id)
            partner.dunning_level_id = level_by_partner.get(partner.commercial_partner_id)

    def action_view_dunning_letters(self):
        """Open the dunning letters of this partner."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_collect.action_dunning_letter"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    collection_case_count = fields.Integer(
        "Collection Cases",
        compute="_compute_collection_case",
        groups="account.group_account_invoice",
    )
    collection_case_id = fields.Many2one(
        "collection.case",
        string="Open Collection Case",
        compute="_compute_collection_case",
        groups="account.group_account_invoice",
    )

    @api.depends_context("company")
    def _compute_collection_case(self):
        Case = self.env["collection.case"]
        cases = Case.search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        open_states = Case._open_states()
        for partner in self:
            own = cases.filtered(lambda case, p=partner: case.partner_id == p.commercial_partner_id)
            partner.collection_case_count = len(own)
            partner.collection_case_id = own.filtered(lambda case: case.state in open_states)[:1]

    def action_view_collection_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_collect.action_collection_case"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action
