"""Briefing QA: answer questions about a policy briefing with cited passages, offline."""

__version__ = "0.1.0"
