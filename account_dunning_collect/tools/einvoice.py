"""Reading and checking the e-invoice XML embedded in invoice PDFs (Factur-X/ZUGFeRD)."""

import importlib
import importlib.machinery
import logging

from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)


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
