from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Letter (post)"),
    ("email_letter", "E-mail and letter"),
    ("phone", "Phone call"),
]


class DunningLevel(models.Model):
    _name = "dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, delay_days, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one("dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        "Days after due date",
        required=True,
        help="The level is due once an item is this many days past its maturity date.",
    )
    level_type = fields.Selection(
        [("letter", "Dunning letter"), ("collection", "Handover to collection")],
        string="Type",
        required=True,
        default="letter",
        help="Letter: the run sends a dunning letter. Handover to collection: the last step "
        "of a policy; once items are this many days overdue (and the policy's agency's "
        "thresholds are met), the run proposes or hands them over to the collection agency.",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    deadline_days = fields.Integer(
        "Payment deadline (days)",
        default=7,
        help="New payment deadline stated in the letter, in days after the letter date.",
    )
    approval_required = fields.Boolean(
        help="Letters of this level wait for a manager's approval before they are sent."
    )
    letter_subject = fields.Char(
        "Subject",
        translate=True,
        help="Subject of the letter and the e-mail; the level's name when empty.",
    )
    letter_text = fields.Html(
        translate=True,
        sanitize=True,
        help="Text of the letter. Placeholders: {partner} (customer name), {deadline} "
        "(payment deadline), {total} (total to pay), {letter} (letter number), "
        "{company} (your company).",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "dunning.letter")],
        help="E-mail sent with the letter; the default dunning template when empty.",
    )
    attach_invoices = fields.Boolean(
        default=True,
        help="Attach the PDF of every overdue invoice (with its embedded Factur-X/ZUGFeRD "
        "XML) to the e-mail.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    fee_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="Service without taxes: dunning fees are damages, not consideration for a supply.",
    )
    fee_amount = fields.Monetary(
        "Fee", currency_field="currency_id", help="Fee in company currency per letter."
    )
    fee_ids = fields.One2many(
        "dunning.level.fee", "level_id", string="Fees in Other Currencies", copy=True
    )

    @api.constrains("delay_days", "deadline_days")
    def _check_days(self):
        for level in self:
            if level.delay_days < 0 or level.deadline_days < 0:
                raise ValidationError(
                    self.env._(
                        "Dunning level '%(level)s' of policy '%(policy)s': days after due date "
                        "and payment deadline cannot be negative.",
                        level=level.name,
                        policy=level.policy_id.name,
                    )
                )

    @api.constrains("fee_product_id", "fee_amount", "fee_ids")
    def _check_fee(self):
        for level in self:
            product = level.fee_product_id
            if product and product.taxes_id:
                raise ValidationError(
                    self.env._(
                        "Fee product '%(product)s' of level '%(level)s' has taxes (%(taxes)s): "
                        "dunning fees are damages without VAT. Remove the taxes from the product.",
                        product=product.display_name,
                        level=level.name,
                        taxes=", ".join(product.taxes_id.mapped("name")),
                    )
                )
            if level.fee_amount < 0 or any(fee.amount < 0 for fee in level.fee_ids):
                raise ValidationError(
                    self.env._("The fee of dunning level '%s' cannot be negative.", level.name)
                )
            if (level.fee_amount or level.fee_ids) and not product:
                raise ValidationError(
                    self.env._(
                        "Dunning level '%s' has a fee but no fee product: choose the product "
                        "the fee is invoiced with.",
                        level.name,
                    )
                )

    def _fee_in_currency(self, currency):
        """The level's fee in ``currency``; raise when it has no price in that currency."""
        self.ensure_one()
        if not self.fee_product_id:
            return 0.0
        fee = self.fee_ids.filtered(lambda f: f.currency_id == currency)[:1]
        if fee:
            return fee.amount
        if currency == self.company_id.currency_id:
            return self.fee_amount
        raise ValidationError(
            self.env._(
                "Dunning level '%(level)s' has no fee in %(currency)s. Add the fee in "
                "%(currency)s under 'Fees in Other Currencies'.",
                level=self.name,
                currency=currency.name,
            )
        )

    @api.constrains("policy_id", "delay_days", "sequence", "level_type")
    def _check_policy_order(self):
        self.policy_id._check_levels()
        self.policy_id._check_collection_level()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        """Check both policies of a level moved into another policy.

        ``_check_policy_order`` sees the new policy only; the old one may have lost its
        only letter level. A level letters were written with is not moved at all.
        """
        if "policy_id" not in vals:
            return super().write(vals)
        moved = self.filtered(lambda level: level.policy_id.id != vals["policy_id"])
        moved._check_not_used_by_letters(self.env["dunning.policy"].browse(vals["policy_id"]))
        old_policies = moved.policy_id
        result = super().write(vals)
        old_policies._check_levels()
        old_policies._check_collection_level()
        return result

    def _check_not_used_by_letters(self, new_policy):
        """Refuse to move levels that letters (or their lines) refer to into ``new_policy``.

        The letters' level is their history: in another policy it would stand for
        another step of another customer's dunning.
        """
        if not self:
            return
        # any company's letters count, also those the user cannot see: only which levels
        # are used is read
        domain = [("level_id", "in", self.ids)]
        used = (
            self.env["dunning.letter"].sudo().search(domain, limit=1).level_id
            or self.env["dunning.letter.line"].sudo().search(domain, limit=1).level_id
        )
        if not used:
            return
        level = self.browse(used.id)
        raise UserError(
            self.env._(
                "Dunning level '%(level)s' is used by dunning letters: it cannot be moved from "
                "policy '%(old)s' to policy '%(new)s'. Create a new level in policy '%(new)s' "
                "instead.",
                level=level.name,
                old=level.policy_id.name,
                new=new_policy.name,
            )
        )
