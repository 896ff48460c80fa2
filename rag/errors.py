"""Domain errors. Only the CLI and the UI turn these into friendly text."""

from __future__ import annotations


class RagError(Exception):
    """Base class of every error Briefing QA raises on purpose."""


class DocumentError(RagError):
    """A source file cannot be read as a briefing (empty, binary, not UTF-8, unsafe path)."""


class IndexNotFoundError(RagError):
    """No built index is at the given folder."""


class IndexMismatchError(RagError):
    """The index was built with other sources, model or chunker settings than the running ones."""


class IndexCorruptError(RagError):
    """The index folder is damaged: a file is missing, truncated or does not match its manifest."""


class IndexBusyError(RagError):
    """Another process is building the same index."""


class IndexWriteError(RagError, OSError):
    """The index folder cannot be written (disk full, read-only, no permission); the previous index is untouched.

    Also an `OSError`, so callers that already catch `OSError` around a build keep working.
    """


class InvalidQuestionError(RagError):
    """The question cannot be answered as given (empty, too long, control characters, ...)."""


class SettingsError(RagError):
    """A setting has a value outside its range."""


class LlmError(RagError):
    """The model server that writes answers failed: unreachable, too slow, an unknown model, a broken reply."""
