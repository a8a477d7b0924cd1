from .bulk import bulk_insert
from .einvoice import check_xml, import_facturx, xml_from_pdf

__all__ = ["bulk_insert", "check_xml", "import_facturx", "xml_from_pdf"]
