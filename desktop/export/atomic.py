"""Writing a file all or nothing: into a temporary file beside the target, renamed into
place only when complete, so a failed or cancelled export leaves no partial file and an
existing file stays as it was.

Only a regular file (or a new name) is ever replaced: never the open database or its
journal files, a device or a folder. Temporary names carry the writer's process id, so the
next export in that folder removes what a killed one left behind.
"""

import os
import re
import shutil
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

from desktop.errors import DeskError, OutputError
from models.database import current_location

SCRATCH_PREFIX = ".entitlement-desk-scratch"
_PART = re.compile(r"^\..+\.(?P<pid>\d+)\.[A-Za-z0-9_]{8}\.part$")
_SCRATCH = re.compile(rf"^{re.escape(SCRATCH_PREFIX)}\.(?P<pid>\d+)\.[A-Za-z0-9_]{{8}}$")
_DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


@contextmanager
def atomic_file(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on any
    error or cancel it is removed. Environment problems become OutputError."""
    target = Path(target)
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"Cannot save {target}: the folder {folder} does not exist.")
    refuse_unsafe_target(target)
    remove_stale_leftovers(folder)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=folder)
    except PermissionError as error:
        raise OutputError(f"Cannot save {target}: no permission to write in {folder}.") from error
    except OSError as error:
        raise OutputError(f"Cannot save {target}: {error.strerror}.") from error
    os.close(handle)
    temporary = Path(temporary)
    try:
        try:
            yield temporary
        except DeskError:
            raise
        except OSError as error:
            raise OutputError(f"Cannot write {target}: {error.strerror or error}.") from error
        # Checked again just before the rename: the name may have changed hands meanwhile.
        refuse_unsafe_target(target)
        try:
            os.replace(temporary, target)
        except PermissionError as error:
            raise OutputError(
                f"Cannot replace {target}: it is open in another program (Excel?) or read-only. Close it and try again."
            ) from error
        except OSError as error:
            raise OutputError(f"Cannot save {target}: {error.strerror}.") from error
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def scratch_folder(target: str | os.PathLike) -> Iterator[Path]:
    """A private folder beside `target` for a writer's scratch files, removed afterwards."""
    folder = Path(target).parent
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}.{os.getpid()}.", dir=folder))
    except OSError as error:
        raise OutputError(f"Cannot save {target}: {error.strerror}.") from error
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def refuse_unsafe_target(target: Path) -> None:
    """Raise OutputError unless `target` is a new name or a regular file other than the open
    database and its journals (however the name is spelled: `x/../d.db`, a link, `d.db-wal`)."""
    try:
        status = os.stat(target)  # follows a link: what would the export hit?
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputError(f"Cannot save {target}: {error.strerror}.") from error
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(f"Cannot save {target}: it is a folder.")
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise OutputError(f"Cannot save {target}: it is a device or other special file, not a regular file.")
    location = current_location()
    if location is None or location.kind != "sqlite":
        return
    resolved = Path(os.path.realpath(target))
    for suffix in _DATABASE_COMPANIONS:
        protected = location.path.with_name(location.path.name + suffix)
        if resolved == Path(os.path.realpath(protected)) or _same_file(target, protected):
            raise OutputError(
                f"Cannot save {target}: it is the open database "
                f"{location.path}{' (its ' + suffix.lstrip('-') + ' file)' if suffix else ''}; "
                "choose another file name."
            )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def remove_stale_leftovers(folder: Path) -> None:
    """Delete temporary files and scratch folders that exports killed mid-way left in `folder`."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _PART.match(name) or _SCRATCH.match(name)
        if match is None or int(match.group("pid")) == os.getpid() or process_alive(int(match.group("pid"))):
            continue
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    if sys.platform == "win32":
        import ctypes

        # os.kill(pid, 0) would end the process on Windows: ask whether a handle opens.
        query_limited_information = 0x1000
        handle = ctypes.windll.kernel32.OpenProcess(query_limited_information, False, pid)
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
