"""Reading and checking the e-invoice XML embedded in invoice PDFs (Factur-X/ZUGFeRD)."""

import importlib
import importlib.machinery
import logging

from lxml import etree

from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

CII_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def import_facturx():
    """Import the ``factur-x`` library inside a running Odoo.

    Odoo replaces the loader of the ``stdnum`` package (it serves it from its
    own import hook), and any stdnum module that reads a data file then fails
    with "Can't open orphan path" -- ``facturx`` imports such modules. Giving
    ``stdnum`` back a plain source loader fixes it; this is the one place the
    addon does it.
    """
    import stdnum

    spec = stdnum.__spec__
    if not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
        spec.loader = importlib.machinery.SourceFileLoader("stdnum", spec.origin)
    return importlib.import_module("facturx")


def xml_from_pdf(pdf_bytes):
    """Return (filename, xml bytes) of the e-invoice embedded in a PDF, or (None, None)."""
    if not pdf_bytes or not pdf_bytes.startswith(b"%PDF"):
        return None, None
    facturx = import_facturx()
    try:
        filename, xml = facturx.get_xml_from_pdf(pdf_bytes, check_xsd=False)
    except Exception:
        _logger.info("Could not read the embedded XML of a PDF", exc_info=True)
        return None, None
    return filename, xml


def check_xml(xml_bytes):
    """Check e-invoice XML against its Factur-X/ZUGFeRD XSD; return an error text or None."""
    facturx = import_facturx()
    # the library logs a failed check as an ERROR; the caller reports it instead
    with mute_logger("factur-x"):
        try:
            facturx.xml_check_xsd(xml_bytes, flavor="autodetect", level="autodetect")
        except Exception as error:
            return str(error) or error.__class__.__name__
    return None


def cii_outside_scope_of_vat(xml_bytes):
    """Make CII XML whose lines are outside the scope of VAT (category O) meet EN 16931.

    Odoo's export writes a rate (0) for every percentage tax and the VAT
    identifiers of both parties; for category O the rules say:

    * BR-O-05: a line outside the scope of VAT carries no VAT rate (BT-152);
    * BR-O-02: the invoice carries no VAT identifier of the seller (BT-31) or
      the buyer (BT-48) -- dropped only when the seller has another identifier
      (BT-29 or its legal registration, BT-30), without which BR-CO-26 fails.

    XML without such a line comes back unchanged.
    """
    ns = {"ram": CII_RAM}
    tree = etree.fromstring(xml_bytes)
    line_taxes = tree.xpath(
        "//ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement"
        "/ram:ApplicableTradeTax[ram:CategoryCode='O']",
        namespaces=ns,
    )
    if not line_taxes:
        return xml_bytes
    for tax in line_taxes:
        for rate in tax.findall("ram:RateApplicablePercent", ns):
            tax.remove(rate)
    agreement = tree.find(".//ram:ApplicableHeaderTradeAgreement", ns)
    seller = agreement.find("ram:SellerTradeParty", ns)
    if seller.xpath(
        "ram:ID or ram:GlobalID or ram:SpecifiedLegalOrganization/ram:ID", namespaces=ns
    ):
        for registration in agreement.xpath(
            "(ram:SellerTradeParty | ram:BuyerTradeParty)"
            "/ram:SpecifiedTaxRegistration[ram:ID/@schemeID='VA']",
            namespaces=ns,
        ):
            registration.getparent().remove(registration)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
