"""Safe file access for ingest: opening only regular files, and printable names for messages.

POSIX file names are bytes; Python maps bytes that are not valid UTF-8 to lone surrogates, which
cannot be written to Parquet or DuckDB, so every name that goes into a message passes through
`display_name`. Files are opened non-blocking and checked with fstat, so a FIFO or device named
``*.txt`` is refused instead of hanging the run.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotRegularFileError(OSError):
    """The path exists but is a FIFO, socket, device or directory, not a regular file."""


def display_name(path: Path | str) -> str:
    """The path's final component, with undecodable bytes shown as ``\\xNN`` escapes."""
    return printable(Path(path).name)


def printable(name: str) -> str:
    """A file-system string with undecodable bytes shown as ``\\xNN`` escapes."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def file_kind(mode: int) -> str:
    """A human name for the type of file a stat mode describes."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def open_regular_file(path: Path) -> BinaryIO:
    """Open a regular file for binary reading; raise `NotRegularFileError` for anything else.

    O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, f"not a regular file: {file_kind(mode)}")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def os_error_reason(error: OSError) -> str:
    """A short quarantine reason for a failure to open or read a file."""
    if isinstance(error, NotRegularFileError):
        return error.strerror or "not a regular file"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, FileNotFoundError):
        return "file not found (deleted during the run, or a broken symlink)"
    if isinstance(error, IsADirectoryError):
        return "not a regular file: a directory"
    if error.errno == errno.ELOOP:
        return "refused: symlink loop"
    return f"cannot read file: {error.strerror or error}"
