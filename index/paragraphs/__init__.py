"""Reconstruct real paragraphs from raw document text.

Input is either PDF-extracted text (hard-wrapped lines, blank lines in odd
places, hyphenated line breaks, footnote blocks, page breaks) or text that
already has one paragraph per line (.md/.docx/.html readers, letters).
`reconstruct(text)` returns `Paragraph`s in document order; every paragraph's
`start`/`end` is the span of its first to last visible character in `text`.

The stages, in order, each a module with a docstring saying what it decides
and why:

1. ``lines``      -- the text as positioned lines, blank lines counted, each
                     line classified (heading, bullet, footnote line, ...).
2. ``furniture``  -- bare page numbers between pages, and rules ("---",
                     "====="), read as blank lines.
   ``tables``     -- a Markdown pipe table read row by row, "kolom: waarde",
                     as the readers write PDF, Word and HTML tables.
3. ``footnotes``  -- footnote blocks, superscript notes, Markdown "[^1]: ..."
                     and inline "[1: ...]" definitions become units of their own.
4. ``joining``    -- lines joined into paragraphs (wrapped text, hyphenation,
                     page breaks), with per-character source offsets
                     (``pieces``).
5. ``structure``  -- headings, lists, bylines and each paragraph's heading
                     path.

``title.guess_title`` reads a title from the text. The hard-wrapped text
files and the PDF reader's output pass through the same stages.

How the text is read
--------------------
* Document statistics decide the mode. *Wrapped* text has (almost) no line
  longer than ~120 characters; its column width is estimated from the line
  lengths. If nearly every line is followed by a blank line, blank lines are
  noise (some PDF extractors double every line break) -- unless most lines
  end a sentence: then they are short paragraphs, one per line, as the HTML,
  DOCX and PDF readers write them. If lines that clearly
  continue (the next line starts lower-case) share one kind of trailing
  whitespace (say: one space), a line with a *different* trailing whitespace
  marks the end of a paragraph -- a reliable trace of the PDF's layout.
* Two consecutive lines belong to one paragraph when the next line starts
  lower-case (also across a blank line or a page break), when the first one
  does not end a sentence and is full width or ends on a function word, or --
  in wrapped text -- when nothing marks a paragraph end (trailing whitespace,
  a blank line, or a line short enough that the next word would have fit).
  Text with one paragraph per line breaks at every line, except where a long
  line stops mid-sentence before a blank line (a broken paragraph).
* Hyphenated line breaks: "verbe-" + "teren" -> "verbeteren" when the hyphen
  hangs on a lower-case letter and the next line starts lower-case. The hyphen
  is kept ("niet-gebruik", "WIA-uitkering") when the hyphenated form occurs
  elsewhere in the document, the first part is a prefix that keeps its hyphen
  ("niet-", "ex-", "oud-", ...), or an upper-case letter/digit precedes it.
  "werk- en" (a space after the hyphen, or "en"/"of"/"tot" after it) keeps
  hyphen and space. "Bikker/" + "Eerdmans" and "(kinder)" + "armoede" (when the
  document spells it that way elsewhere) join without a space.
* Headings (kind "heading"): Markdown "#".."######" lines; numbered article
  titles "01. ...", "02. ..." (a clipping collection); letter-spaced titles
  ("K N I P S E L K R A N T"); and short units (<= 15 words, <= 3 lines)
  without final punctuation -- or short questions -- that are followed by
  content. Photo credits/captions, bylines, addresses and lines with commas
  are not taken for headings. A paragraph's `heading` is the path of the
  headings above it joined with " › ": explicit levels (Markdown level, article
  title) first, then the current detected heading; consecutive detected
  headings (section + subsection) are kept together. So in a clipping
  collection every paragraph's heading starts with its ARTICLE title, followed
  by the subheading inside the article when there is one:
  "01. Rotterdamse rekentool toont het voordeel van werken › Via de werkcoach".
* Bullets (•, -, –, −, *, "1.", "a)"): each bullet item is its own unit
  (kind "bullet", marker stripped; numbered items keep their number). A short
  list (items <= 20 words, <= 60 words together) that follows a lead-in ending
  in ":" is merged into that lead-in paragraph, markers kept, because such
  items do not stand alone ("We richten ons op: • Werkzekerheid • ...").
  Items of longer lists stay separate, and their `heading` gets the lead-in
  appended as context ("Section › Lead-in text:").
* Footnotes: PDF footnote blocks (a run of lines "1 Zo duwt ...", numbered
  in sequence, after a page break), lines opening with superscript numbers,
  and inline definitions "[1: ...]" become their own paragraphs (kind
  "footnote"; the number kept in front, e.g. "4 Dakloosheid in Nederland:
  tellen en handelen! - Vereniging Valente"). Footnotes under 8 words are grouped with a neighbouring
  footnote of the same block. A paragraph interrupted by a footnote block (page
  break mid-sentence) is continued after it; its span then covers the block.
  Reference markers are removed from the text: "[footnoteRef:1]", superscript
  digits, and digits glued to a word when they are known footnote numbers
  ("inkomensverlies1," -> "inkomensverlies,").
* Clean-up: lines joined with single spaces, whitespace collapsed, Markdown
  links "[text](#)" reduced to their text, "*emphasis*" asterisks and "\\("
  escapes dropped, bare page numbers dropped. Nothing is added to the text.
* Clipping bylines ("Stijn Vos Binnenlands Bestuur 3 februari 2026") are
  merged into the paragraph that follows them.
"""

from __future__ import annotations

from .pipeline import reconstruct, reconstruct_mapped
from .title import guess_title, letter_subject

__all__ = ["guess_title", "letter_subject", "reconstruct", "reconstruct_mapped"]
