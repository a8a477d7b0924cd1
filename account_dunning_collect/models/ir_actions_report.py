import io
from urllib.parse import quote, unquote

import lxml.html

from odoo import api, models
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..tools.letter_pdf import decorate_letter_pdf

LETTER_REPORT = "account_dunning_collect.report_dunning_letter"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _letter_zoom(self):
        """The CSS zoom that makes the letter print at its size in mm and pt.

        wkhtmltopdf built against an unpatched Qt (the Debian/Ubuntu package)
        ignores --dpi and --zoom and prints every CSS length at 72/96 of its
        size (10pt text as 7.5pt); the build with patched Qt prints them as
        they are, with the paper format's 96 dpi and without smart shrinking.
        """
        return 1.0 if _wkhtml().is_patched_qt else 96 / 72

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
        heading, they render in one call and the PDF is split per letter
        by the link each letter's first page carries.
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

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Split a batch of letters rendered without PDF outlines, by their page markers.

        Odoo splits a multi-record PDF by its outlines, which an unpatched
        wkhtmltopdf does not write; when it could not, each letter's first
        page is found by the link that only that page carries
        (``mailto:…?subject=<letter number>``, see the report).
        """
        streams = super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        if not res_ids or self._get_report(report_ref).report_name != LETTER_REPORT:
            return streams
        letters = self.env["dunning.letter"].browse(res_ids)
        if len(set(res_ids)) == len(res_ids) > 1 and set(streams) == {False}:
            split = self._split_letters(streams[False]["stream"].getvalue(), letters)
            if split:
                streams = {
                    letter_id: {"stream": io.BytesIO(content), "attachment": None}
                    for letter_id, content in split.items()
                }
        return self._decorate_letters(streams, letters)

    def _decorate_letters(self, streams, letters):
        """Draw footer, page numbers and running header onto each newly rendered letter.

        A letter's kept PDF (loaded from its attachment) already carries them.
        A batch that could not be split per letter (printed with duplicates)
        is left as it is: it has no pages of a single letter to number.
        """
        for letter_id, stream_data in streams.items():
            if not letter_id or not stream_data["stream"] or stream_data["attachment"]:
                continue
            letter = letters.browse(letter_id)
            content = decorate_letter_pdf(stream_data["stream"].getvalue(), letter._report_pages())
            stream_data["stream"] = io.BytesIO(content)
        return streams

    def _split_letters(self, content, letters):
        """Return {letter id: PDF bytes} cut at each letter's marked first page, or None."""
        by_subject = {letter.name: letter.id for letter in letters}
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        starts = []
        for index, page in enumerate(reader.pages):
            for annotation in page.get("/Annots") or []:
                uri = (annotation.get_object().get("/A") or {}).get("/URI") or ""
                if not uri.startswith("mailto:") or "subject=" not in uri:
                    continue
                subject = unquote(uri.split("subject=", 1)[1].split("&", 1)[0])
                letter_id = by_subject.get(subject)
                if letter_id and letter_id not in {start[1] for start in starts}:
                    starts.append((index, letter_id))
        if len(starts) != len(letters) or not starts or starts[0][0] != 0:
            return None
        result = {}
        for position, (first, letter_id) in enumerate(starts):
            last = starts[position + 1][0] if position + 1 < len(starts) else len(reader.pages)
            writer = PdfFileWriter()
            for number in range(first, last):
                writer.add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            result[letter_id] = stream.getvalue()
        return result

    @staticmethod
    def _letter_marker(letter, email):
        """The link only a letter's first page carries: mail to us about this letter."""
        return f"mailto:{email or ''}?subject={quote(letter.name or '')}"

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
