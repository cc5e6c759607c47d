"""Document names as clients send them: the same name in another Unicode form is the same document."""

from __future__ import annotations

import json
import unicodedata
import urllib.parse

from tests.client import request, wait_for_job
from tests.test_documents_api import ADMIN, AUTH, BRIDGE, _create, _documents, _uploaded, service  # noqa: F401


def test_a_document_is_deleted_by_its_name_in_nfd_as_well(service):  # noqa: F811
    _create(service, "namen")
    nfc = unicodedata.normalize("NFC", "één-brug.txt")
    assert _uploaded(service, "namen", [(nfc, BRIDGE)])["state"] == "done"
    assert nfc in _documents(service, "namen")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    status, _, data = request(f"{service.url}/api/v1/collections/namen/documents/{urllib.parse.quote(nfd)}",
                              method="DELETE", headers=AUTH)
    assert status == 202, data
    assert wait_for_job(service.url, json.loads(data)["job"], ADMIN)["state"] == "done"
    assert nfc not in _documents(service, "namen")
