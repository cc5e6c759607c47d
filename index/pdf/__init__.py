"""Layout-aware PDF reading: from positioned words to clean paragraphs.

A PDF holds glyphs at positions, not paragraphs. This package recovers the
text a reader sees, in named stages, each in its own module:

1. ``words``     -- positioned words with font size and weight (pdfplumber),
                    or from OCR (``ocr``) on pages without a text layer.
2. ``tables``    -- ruled tables become one text row per table row;
   ``charts``    -- the loose value and axis labels of a drawn chart leave the text.
3. ``columns``   -- a page with a gutter is read column by column.
4. ``lines``     -- words become lines; superscript footnote markers are
                    taken out of the text.
5. ``furniture`` -- running headers and footers, page numbers, print stamps
                    and repeated letter side-column blocks are removed and
                    kept as page metadata.
6. ``footnotes`` -- small-font numbered lines at the page foot become units
                    of their own, tied to the paragraph holding the marker.
7. ``blocks``    -- lines become headings, list items and paragraphs (also
                    over column and page breaks), hyphenation undone
                    (``joining``).

``layout.read_layout`` runs the stages; ``index.readers.pdf`` turns the
result into a ``Document`` (one unit per line, blank-line separated, Markdown
``#`` headings) that the paragraph reconstruction reads like HTML output.

What a file may cost is judged before and during the stages: ``unpack``
counts the pages and measures every stream before pdfminer opens the file,
``interpret`` lays each page out with pdfminer while counting what it
unpacks and draws (``index.readers.limits.PdfBudget``).
"""
