"""The JSON API's bodies as pydantic models: what a request must be, what an answer is, what an error is.

They check the requests (through web.openapi) and are what /api/v1/openapi.json says. One module per
area of the API: common (the error body and the shapes the areas share), ask (POST /api/v1/ask),
feedback (/api/v1/feedback) and admin (tokens, collections, documents, jobs). Import the models from
here, web.schemas; the modules are how they are kept, not part of the interface.

Each request field carries its Refusal (web.refusals): the error code and Dutch message for a wrong
value. Docstrings and descriptions of models and fields are published in the document, so they are Dutch.
"""

from __future__ import annotations

from .admin import (
    CollectionDeleted, CollectionInfo, CollectionList, CollectionRequest, DocumentInfo, DocumentList, JobAccepted,
    JobFile, JobList, JobStatus, TokenCreated, TokenInfo, TokenRequest, UploadForm,
)
from .ask import AnswerText, AskRequest, AskResponse, Highlight, IndexRef, Language, Passage, Source
from .common import COLLECTION_NAME_PATTERN, QUESTION_TEXT, VISIBLE_TEXT, ErrorBody, ErrorDetail
from .feedback import (
    MAX_ANSWER_CHARS, MAX_COMMENT_CHARS, MAX_HISTORY_ITEMS, MAX_PASSAGE_ID_CHARS, MAX_PASSAGES, PASSAGE_ID,
    ExportQuery, FeedbackRequest, FeedbackRow, FeedbackSaved,
)

__all__ = [
    # common
    "COLLECTION_NAME_PATTERN", "QUESTION_TEXT", "VISIBLE_TEXT", "ErrorBody", "ErrorDetail",
    # ask
    "AnswerText", "AskRequest", "AskResponse", "Highlight", "IndexRef", "Language", "Passage", "Source",
    # feedback
    "MAX_ANSWER_CHARS", "MAX_COMMENT_CHARS", "MAX_HISTORY_ITEMS", "MAX_PASSAGE_ID_CHARS", "MAX_PASSAGES",
    "PASSAGE_ID", "ExportQuery", "FeedbackRequest", "FeedbackRow", "FeedbackSaved",
    # admin
    "CollectionDeleted", "CollectionInfo", "CollectionList", "CollectionRequest", "DocumentInfo", "DocumentList",
    "JobAccepted", "JobFile", "JobList", "JobStatus", "TokenCreated", "TokenInfo", "TokenRequest", "UploadForm",
]
