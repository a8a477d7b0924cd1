from .bulk import bulk_insert
from .einvoice import check_xml, import_facturx, xml_from_pdf
from .fields import Many2oneWithoutForeignKey

__all__ = [
    "Many2oneWithoutForeignKey",
    "bulk_insert",
    "check_xml",
    "import_facturx",
    "xml_from_pdf",
]
