from .bulk import bulk_insert
from .cron import CronBudget
from .einvoice import check_xml, import_facturx, xml_from_pdf
from .fields import Many2oneWithoutForeignKey

__all__ = [
    "CronBudget",
    "Many2oneWithoutForeignKey",
    "bulk_insert",
    "check_xml",
    "import_facturx",
    "xml_from_pdf",
]
