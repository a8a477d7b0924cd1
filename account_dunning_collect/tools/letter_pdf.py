"""What every page of a dunning letter carries, drawn onto its PDF after rendering.

wkhtmltopdf repeats headers and footers only when it is built against a
patched Qt; the Debian/Ubuntu package is not. So the letter's PDF is rendered
without them by every build, and this module draws, on each page, the
company's legal footer and "Page 1 of 2", from page 2 on the letter's number
and date at the top, and on page 1 the fold and punch marks of DIN 5008:
one code path for both builds.
"""

import functools
import io
import os
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from odoo.tools.pdf import PdfFileReader, PdfFileWriter

# The letter's font (see the report's CSS), from Debian's fonts-dejavu-core:
# wkhtmltopdf embeds it, and so does this footer.
FONT_FILES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
)
FOOTER_FONT_SIZE = 6.3
FOOTER_LINE_HEIGHT = 2.9 * mm
FOOTER_TOP = 278 * mm  # from the top of the page: the footer's first line
FOOTER_LINES = 6  # the lines a column has down to the page's edge
LEFT = 25 * mm
RIGHT = 20 * mm
COLUMN_GAP = 2 * mm
# DIN 5008 form B: fold marks at 105 and 210 mm, the punch mark at 148.5 mm
MARKS = ((105 * mm, 4 * mm), (148.5 * mm, 6 * mm), (210 * mm, 4 * mm))


@dataclass(frozen=True)
class LetterPages:
    """What to draw onto the pages of one letter.

    ``footer_columns``: columns of lines, left to right (the company's name,
    seat and register; contact; bank ...). ``page_label``: the page number in
    the letter's language with ``%(page)s`` and ``%(pages)s`` ("Seite
    %(page)s von %(pages)s"). ``running_header``: the line at the top of page
    2 and later (letter number and date).
    """

    footer_columns: tuple
    page_label: str
    running_header: str


@functools.cache
def _fonts():
    """(regular, bold) font names: the letter's TrueType font, else Helvetica."""
    for regular, bold in FONT_FILES:
        if os.path.exists(regular) and os.path.exists(bold):
            pdfmetrics.registerFont(TTFont("DunningLetter", regular))
            pdfmetrics.registerFont(TTFont("DunningLetter-Bold", bold))
            return "DunningLetter", "DunningLetter-Bold"
    return "Helvetica", "Helvetica-Bold"


def _width(text, font):
    return pdfmetrics.stringWidth(text, font, FOOTER_FONT_SIZE)


def _wrap(text, font, width):
    """``text`` as lines of at most ``width`` points.

    Broken at spaces, else anywhere: an IBAN or e-mail address is never cut off.
    """
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if _width(candidate, font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while _width(line, font) > width and len(line) > 1:
            cut = len(line)
            while cut > 1 and _width(line[:cut], font) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


def _column_widths(columns, fonts, total):
    """Widths of the footer's columns that fit ``total``: each its longest line, the widest
    narrowed first (its lines wrap), so that short columns keep their lines whole."""
    natural = [
        max(_width(line, fonts[index == 0 and row == 0]) for row, line in enumerate(column))
        for index, column in enumerate(columns)
    ]
    if sum(natural) <= total:
        return natural
    # the level L with sum(min(width, L)) == total
    remaining, count = total, len(natural)
    for width in sorted(natural):
        if width * count > remaining:
            level = remaining / count
            return [min(width, level) for width in natural]
        remaining -= width
        count -= 1
    return natural


def _overlay(width, height, number, count, pages):
    """One page (PDF bytes) with the footer, page number, running header and marks."""
    regular, bold = _fonts()
    stream = io.BytesIO()
    drawing = canvas.Canvas(stream, pagesize=(width, height), initialFontName=regular)
    drawing.setFillGray(0.25)
    drawing.setStrokeGray(0.5)
    top = height - FOOTER_TOP
    drawing.setFont(regular, FOOTER_FONT_SIZE + 1)
    drawing.drawRightString(
        width - RIGHT,
        top + FOOTER_LINE_HEIGHT * 1.6,
        pages.page_label % {"page": number, "pages": count},
    )
    drawing.setLineWidth(0.4)
    drawing.line(
        LEFT, top + FOOTER_LINE_HEIGHT * 1.1, width - RIGHT, top + FOOTER_LINE_HEIGHT * 1.1
    )
    columns = [column for column in pages.footer_columns if column]
    if columns:
        usable = width - LEFT - RIGHT - COLUMN_GAP * (len(columns) - 1)
        left = LEFT
        for index, (lines, column_width) in enumerate(
            zip(columns, _column_widths(columns, (regular, bold), usable), strict=True)
        ):
            row = 0
            for number_in_column, line in enumerate(lines):
                font = bold if index == 0 and number_in_column == 0 else regular
                for part in _wrap(line, font, column_width):
                    if row < FOOTER_LINES:
                        drawing.setFont(font, FOOTER_FONT_SIZE)
                        drawing.drawString(left, top - row * FOOTER_LINE_HEIGHT, part)
                    row += 1
            left += column_width + COLUMN_GAP
    if number > 1 and pages.running_header:
        drawing.setFont(regular, FOOTER_FONT_SIZE + 2)
        drawing.drawString(LEFT, height - 12 * mm, pages.running_header)
        drawing.line(LEFT, height - 14 * mm, width - RIGHT, height - 14 * mm)
    if number == 1:
        for position, length in MARKS:
            drawing.line(3 * mm, height - position, 3 * mm + length, height - position)
    drawing.showPage()
    drawing.save()
    return stream.getvalue()


def decorate_letter_pdf(content, pages):
    """Return the PDF ``content`` of one letter with ``pages`` (LetterPages) on each page."""
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    writer = PdfFileWriter()
    count = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay = PdfFileReader(io.BytesIO(_overlay(width, height, number, count, pages)))
        page.merge_page(overlay.pages[0])
        writer.add_page(page)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()
