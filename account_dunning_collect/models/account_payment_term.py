from odoo import fields, models


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    dunning_calendar_due = fields.Boolean(
        string="Due Date Agreed by Calendar",
        help="The contract fixes the payment date by the calendar (BGB §286(2) no. 1): "
        "invoices with this term are in default from the day after their due date, "
        "whatever the dunning policy says.",
    )
