"""19.0.1.7.0: charge invoices carry a tax that says why they carry no VAT.

Every company with a chart of accounts gets the 0 % sales tax for dunning
charges (not taxable, damages, UStAE 1.3; VAT category O in the Factur-X
XML), set as its *Tax on Dunning Charges*. Charge invoices posted before keep
their lines as they are: they are posted documents.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.company"].search([("chart_template", "!=", False)])._dunning_ensure_charge_tax()
