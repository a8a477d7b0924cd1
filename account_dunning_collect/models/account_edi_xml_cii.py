from odoo import models

from ..tools.einvoice import cii_outside_scope_of_vat


class AccountEdiXmlCii(models.AbstractModel):
    _inherit = "account.edi.xml.cii"

    def _export_invoice(self, invoice):
        """Charge invoices are outside the scope of VAT: their Factur-X/ZUGFeRD XML
        follows EN 16931's rules for category O (see ``cii_outside_scope_of_vat``)."""
        xml, errors = super()._export_invoice(invoice)
        if invoice.is_dunning_charge:
            xml = cii_outside_scope_of_vat(xml)
        return xml, errors
