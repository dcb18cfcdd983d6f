"""GhostCart's data is the shopper's alone: folders it creates are 0700 and files 0600 (the
database and its WAL/SHM, the log and its rotations, exports), whatever the umask. Existing
files and dedicated folders that are open to others are tightened; a shared folder someone
pointed us at (their home, /tmp) is never chmod-ed."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def _shared(path: Path) -> bool:
    """Folders that belong to more than GhostCart: never tightened."""
    try:
        resolved = path.resolve()
        st = resolved.stat()
    except OSError:
        return True
    if st.st_mode & stat.S_ISVTX or st.st_uid != os.getuid():  # /tmp-like, or not ours
        return True
    shared = {Path("/"), Path.home().resolve(), Path(tempfile.gettempdir()).resolve()}
    return resolved in shared or len(resolved.parts) <= 2


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) 0700; tighten it when it is open to others and is
    not a shared folder. Raises OSError when it cannot be created."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=DIR_MODE)
        with contextlib.suppress(OSError):
            os.chmod(d, DIR_MODE)  # mkdir's mode is cut by the umask
    tighten(path, DIR_MODE)
    return path


def tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` if it grants group/other anything (a file, or a folder that is
    not shared). Best effort: a file we cannot chmod is left as it is."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if not st.st_mode & 0o077 or st.st_uid != os.getuid():
        return
    if stat.S_ISDIR(st.st_mode) and _shared(Path(path)):
        return
    with contextlib.suppress(OSError):
        os.chmod(path, mode)


def private_file(path: Path) -> Path:
    """Make sure `path` exists and is 0600 without changing its content (created empty; an
    existing file is only tightened, never opened for writing)."""
    path = Path(path)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE))
    tighten(path, FILE_MODE)
    return path


def write_private(path: Path, text: str) -> Path:
    """Write `text` to `path` (replacing it), mode 0600; a missing folder is created 0700."""
    path = Path(path)
    if not path.parent.exists():
        private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    with contextlib.suppress(OSError):
        os.fchmod(fd, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
