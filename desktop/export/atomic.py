"""Writing a file all or nothing: into a temporary file beside the target, renamed into
place only when complete, so a failed or cancelled export leaves no partial file and an
existing file stays as it was."""
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from desktop.errors import DeskError, OutputError


@contextmanager
def atomic_file(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on any
    error or cancel it is removed. Environment problems become OutputError."""
    target = Path(target)
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"Cannot save {target}: the folder {folder} does not exist.")
    if target.is_dir():
        raise OutputError(f"Cannot save {target}: it is a folder.")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
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
        try:
            os.replace(temporary, target)
        except PermissionError as error:
            raise OutputError(
                f"Cannot replace {target}: it is open in another program (Excel?) or read-only. "
                "Close it and try again.") from error
        except OSError as error:
            raise OutputError(f"Cannot save {target}: {error.strerror}.") from error
    finally:
        temporary.unlink(missing_ok=True)
