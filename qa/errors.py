"""Errors of the answering layer; messages are shown to users, in Dutch."""


class QuestionError(ValueError):
    """The question itself is unusable (empty, too long, not text)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
