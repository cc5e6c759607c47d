"""Lay out one page with pdfminer within a budget: content and elements counted as they come.

pdfplumber lays a page out with pdfminer the first time its objects are
asked for, with no bound on what the page draws: a page of a few hundred
bytes can draw a million glyphs, at some 2.4 KB each, or draw a form that
draws a form that draws a form, each many times. Here the same pdfminer
device and interpreter pdfplumber uses are subclassed to count, and the
result is handed to pdfplumber as the page's layout, which it then reads
as if it had made it itself.

Counted against `budget` (index.readers.limits.PdfBudget), which raises as
soon as a count is over its limit:

* content -- every stream the interpreter runs (the page's content streams
  and each form it draws), each time it runs, measured by decoding it block
  by block before pdfminer decodes it in one piece;
* elements -- every glyph, path, image and form the device is given.

The interpreter also takes its operands off the stack in place; pdfminer
copies the stack for every operator, which made a page of numbers quadratic.
"""

from __future__ import annotations

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from index.pdf.unpack import decoded_size, filter_names


class _CountingDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, counting every element it is given."""

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget

    def render_char(self, *args, **kwargs):
        self.budget.add_element()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args, **kwargs):
        self.budget.add_element()
        return super().paint_path(*args, **kwargs)

    def render_image(self, *args, **kwargs):
        self.budget.add_element()
        return super().render_image(*args, **kwargs)

    def begin_figure(self, *args, **kwargs):
        self.budget.add_element()
        return super().begin_figure(*args, **kwargs)


class _CountingInterpreter(PDFPageInterpreter):
    """pdfminer's interpreter, counting the decoded size of every stream it runs, each time.

    Forms are run by a copy of this class (pdfminer's `dup`), with the same device, so with the same budget.
    """

    def execute(self, streams) -> None:
        budget = self.device.budget
        for stream in streams:
            stream = stream.resolve() if hasattr(stream, "resolve") else stream
            if isinstance(stream, PDFStream):
                budget.add_content(_size(stream, budget.content_room()))
        super().execute(streams)

    def pop(self, n: int) -> list:
        """pdfminer's pop, in place: pdfminer copies the whole operand stack for every operator, so a
        stream of a million numbers followed by operators took minutes."""
        if n == 0:
            return []
        taken = self.argstack[-n:]
        del self.argstack[-n:]
        return taken


def _size(stream: PDFStream, room: int) -> int:
    """A stream's decoded size, measured no further than just above `room` if pdfminer has not decoded it yet."""
    if stream.data is not None:
        return len(stream.data)
    data = stream.rawdata or b""
    if stream.decipher and stream.objid is not None:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    return decoded_size(data, filter_names([f for f, _ in stream.get_filters()]), room)


def lay_out(page, budget) -> None:
    """Lay out a pdfplumber page as pdfplumber does, counting against `budget`; the page keeps the result.

    pdfplumber keeps a page's layout in `_layout` and makes one only when it
    has none; pdfplumber's `flush_cache` drops it again.
    """
    budget.start_page(page.page_number)
    device = _CountingDevice(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams, budget=budget)
    _CountingInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()
