"""A guard pdfminer lacks: indirect objects that refer to each other in a ring.

pdfminer resolves an object that is itself only a reference by following it
(`pdfminer.pdftypes.resolve1`: as long as it is a reference, resolve it).
Three objects "5 -> 6 -> 7 -> 6" kept that loop, and with it the whole index
build, running forever on a PDF of 631 bytes. `guard_reference_rings` wraps
`PDFObjRef.resolve` once per process: a reference whose chain of references
comes back to itself, or runs longer than MAX_CHAIN, resolves as a missing
object (what pdfminer gives for a reference to nothing), and the page reads
as if the object were absent.
"""

from __future__ import annotations

from functools import lru_cache

MAX_CHAIN = 32  # references to references; a real file has one or two


@lru_cache(maxsize=1)
def guard_reference_rings() -> None:
    """Wrap pdfminer's `PDFObjRef.resolve` (once) so that a ring of references resolves to the default."""
    from pdfminer.pdftypes import PDFObjRef

    plain = PDFObjRef.resolve

    def resolve(self, default: object = None):
        value = plain(self, default=default)
        seen, probe = {self.objid}, value
        for _ in range(MAX_CHAIN):
            if not isinstance(probe, PDFObjRef):
                return value
            if probe.objid in seen:
                return default  # a ring: no object at its end
            seen.add(probe.objid)
            probe = plain(probe, default=default)
        return default if isinstance(probe, PDFObjRef) else value

    PDFObjRef.resolve = resolve
