import lxml.html

from odoo import models

from odoo.addons.base.models.ir_actions_report import _wkhtml

DIN5008_LAYOUT = "l10n_din5008.external_layout_din5008"
LETTER_REPORT = "account_dunning_collect.report_dunning_letter"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def get_paperformat(self):
        """The dunning letter keeps the company's paper format under the DIN 5008 layout.

        Our own format places the window address of DIN 5008 under Odoo's
        standard layouts; the DIN 5008 layout (l10n_din5008) brings its own
        format and positions, which must not be overridden.
        """
        if (
            self.report_name == LETTER_REPORT
            and self.env.company.external_report_layout_id.key == DIN5008_LAYOUT
        ):
            return self.env.company.paperformat_id
        return super().get_paperformat()

    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """Render several dunning letters in one call even with an unpatched wkhtmltopdf.

        wkhtmltopdf built against an unpatched Qt (the Debian/Ubuntu package)
        takes a single input document and ignores headers and footers. Odoo
        would then refuse a batch of letters; joined into one document, each
        letter starting on a new page with its subject as the only top-level
        heading, they render in one call and Odoo splits the PDF per letter
        by those headings.
        """
        if (
            len(bodies) > 1
            and report_ref
            and self._get_report(report_ref).report_name == LETTER_REPORT
            and not _wkhtml().is_patched_qt
        ):
            bodies = [self._join_letter_bodies(bodies)]
        return super()._run_wkhtmltopdf(
            bodies,
            report_ref=report_ref,
            header=header,
            footer=footer,
            landscape=landscape,
            specific_paperformat_args=specific_paperformat_args,
            set_viewport_size=set_viewport_size,
        )

    def _join_letter_bodies(self, bodies):
        """One HTML document of all letters, a page break before each but the first."""
        root = lxml.html.fromstring(str(bodies[0]))
        target = root.find("body")
        for body in bodies[1:]:
            document = lxml.html.fromstring(str(body))
            for index, node in enumerate(document.find("body")):
                if index == 0:
                    node.set("style", f"page-break-before: always; {node.get('style') or ''}")
                target.append(node)
        return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
