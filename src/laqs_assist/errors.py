"""Errors a user can cause and fix. Each prints as one line; the CLI maps them to exit codes."""

from __future__ import annotations


class LaqsError(Exception):
    """A failure the user should read as one line. `exit_code` 2 is bad input or usage, 1 any other failure."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UsageError(LaqsError):
    exit_code = 2


class PackError(UsageError):
    """A framework pack that cannot be loaded; `where` is file:line."""


class JudgementError(UsageError):
    """A judgements file or value that does not fit the pack."""
