from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

AGENCY_STATES = [
    ("draft", "Draft"),
    ("requested", "Requested"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]
EXPORT_FORMATS = [("json", "JSON"), ("xml", "XML"), ("csv", "CSV")]
DELIVERY_METHODS = [
    ("download", "Download"),
    ("email", "E-mail"),
    ("webhook", "Webhook (signed HTTPS POST)"),
]


class CollectionAgency(models.Model):
    """A collection agency (Inkasso) the company hands unpaid claims over to."""

    _name = "collection.agency"
    _description = "Collection Agency"
    _inherit = ["mail.thread"]
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(related="partner_id.name", store=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Agency",
        required=True,
        tracking=True,
        check_company=True,
        help="The agency's company; its e-mail receives the partnership request and, with "
        "delivery by e-mail, the handovers.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True)
    state = fields.Selection(
        AGENCY_STATES,
        required=True,
        default="draft",
        tracking=True,
        copy=False,
        help="Claims can only be handed over while the partnership is active.",
    )
    min_amount = fields.Monetary(
        "Minimum Open Amount",
        currency_field="currency_id",
        help="A debtor's claims are handed over only when their open principal (company "
        "currency) reaches this amount.",
    )
    delay_days = fields.Integer(
        "Days After Last Letter",
        default=14,
        help="Claims are handed over this many days after the last dunning letter at the earliest.",
    )
    auto_handover = fields.Boolean(
        "Automatic Handover",
        tracking=True,
        help="The daily run hands claims over at once; otherwise it proposes cases that an "
        "accountant approves.",
    )
    commission_percent = fields.Float(
        "Commission (%)",
        digits=(5, 2),
        help="Share of the collected amount the agency retains; the default of a remittance.",
    )
    expense_account_id = fields.Many2one(
        "account.account",
        string="Commission Expense Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="The agency's commission retained from a remittance is booked to this account.",
    )
    write_off_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Default account for writing off what the agency could not collect.",
    )
    export_format = fields.Selection(EXPORT_FORMATS, required=True, default="json")
    delivery = fields.Selection(
        DELIVERY_METHODS,
        required=True,
        default="download",
        help="Download: the export is attached to the case. E-mail: sent to the delivery "
        "address. Webhook: POSTed to the URL, signed with HMAC-SHA256 of the body in the "
        "header X-Dunning-Signature ('sha256=<hex>').",
    )
    delivery_email = fields.Char(
        help="Where handovers and updates are e-mailed; the agency's e-mail when empty."
    )
    webhook_url = fields.Char("Webhook URL")
    webhook_secret = fields.Char(groups="account_dunning_collect.group_dunning_manager", copy=False)
    case_ids = fields.One2many("collection.case", "agency_id", string="Cases")
    case_count = fields.Integer(compute="_compute_case_stats")
    open_case_count = fields.Integer(
        "Cases at the Agency", compute="_compute_case_stats", help="Handed over, not yet settled."
    )
    amount_open = fields.Monetary(
        "Open at the Agency",
        currency_field="currency_id",
        compute="_compute_case_stats",
        help="What is still open on the documents of the cases at the agency.",
    )
    request_date = fields.Date(readonly=True, copy=False)
    confirm_date = fields.Date("Partnership Since", readonly=True, copy=False)

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "This agency is already set up for this company.",
    )

    @api.depends("case_ids.state")
    def _compute_case_stats(self):
        for agency in self:
            cases = agency.case_ids
            at_agency = cases.filtered(
                lambda case: case.state in ("handed_over", "acknowledged", "partially_paid")
            )
            agency.case_count = len(cases)
            agency.open_case_count = len(at_agency)
            agency.amount_open = sum(at_agency.mapped("amount_open"))

    @api.constrains("commission_percent", "min_amount", "delay_days")
    def _check_numbers(self):
        for agency in self:
            if not 0 <= agency.commission_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Collection agency '%s': the commission must lie between 0 and 100 %%.",
                        agency.name,
                    )
                )
            if agency.min_amount < 0 or agency.delay_days < 0:
                raise ValidationError(
                    self.env._(
                        "Collection agency '%s': minimum amount and days after the last letter "
                        "cannot be negative.",
                        agency.name,
                    )
                )

    @api.constrains("delivery", "webhook_url", "delivery_email", "partner_id")
    def _check_delivery(self):
        for agency in self:
            if agency.delivery == "webhook":
                url = (agency.webhook_url or "").strip()
                if not url.startswith(("https://", "http://")):
                    raise ValidationError(
                        self.env._(
                            "Collection agency '%s' delivers by webhook: enter the URL "
                            "(https://...) the agency gave you.",
                            agency.name,
                        )
                    )
            if agency.delivery == "email" and not agency._delivery_address():
                raise ValidationError(
                    self.env._(
                        "Collection agency '%s' delivers by e-mail: enter a delivery e-mail "
                        "address or an e-mail on the agency's contact.",
                        agency.name,
                    )
                )

    def _delivery_address(self):
        self.ensure_one()
        return (self.delivery_email or self.partner_id.email or "").strip()

    @api.depends("partner_id.name", "state")
    def _compute_display_name(self):
        for agency in self:
            agency.display_name = agency.partner_id.name or ""

    # ------------------------------------------------------------------
    # PARTNERSHIP FLOW
    # ------------------------------------------------------------------

    def _check_state(self, allowed, action):
        for agency in self:
            if agency.state not in allowed:
                raise UserError(
                    self.env._(
                        "Collection agency '%(agency)s' is %(state)s: it cannot be %(action)s.",
                        agency=agency.name,
                        state=dict(AGENCY_STATES)[agency.state],
                        action=action,
                    )
                )

    def action_request(self):
        """Send the agency the partnership request with the company's data."""
        self._check_state(("draft", "terminated"), self.env._("asked for a partnership"))
        template = self.env.ref("account_dunning_collect.email_template_collection_request")
        for agency in self:
            if not agency.partner_id.email:
                raise UserError(
                    self.env._(
                        "Collection agency '%s' has no e-mail address: enter it on the "
                        "agency's contact to send the partnership request.",
                        agency.name,
                    )
                )
            agency.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                partner_ids=agency.partner_id.ids,
            )
        self.write({"state": "requested", "request_date": fields.Date.context_today(self)})
        return True

    def action_confirm(self):
        """The agency accepted the partnership: handovers are allowed from now on."""
        self._check_state(("draft", "requested", "suspended"), self.env._("confirmed"))
        for agency in self:
            if agency.delivery == "webhook" and not agency.sudo().webhook_secret:
                raise UserError(
                    self.env._(
                        "Collection agency '%s' delivers by webhook: enter the shared secret "
                        "the requests are signed with before activating it.",
                        agency.name,
                    )
                )
        self.write({"state": "active", "confirm_date": fields.Date.context_today(self)})
        return True

    def action_suspend(self):
        """No new handovers for now; open cases stay with the agency."""
        self._check_state(("active",), self.env._("suspended"))
        self.write({"state": "suspended"})
        return True

    def action_terminate(self):
        """End the partnership; open cases stay open until they are settled or recalled."""
        self._check_state(("draft", "requested", "active", "suspended"), self.env._("terminated"))
        self.write({"state": "terminated"})
        return True

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_collect.action_collection_case"
        )
        action["domain"] = [("agency_id", "=", self.id)]
        action["context"] = {"default_agency_id": self.id}
        return action
