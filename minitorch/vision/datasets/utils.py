"""Files of data sets: md5 checks, atomic downloads and archive extraction.

torchvision's ``datasets.utils`` names: :func:`check_integrity`, :func:`download_url`,
:func:`extract_archive`, :func:`download_and_extract_archive`.

Every file is checked against its published md5 sum unless the environment variable
``MINITORCH_SKIP_MD5`` is ``1`` (for test fixtures and self-made files in a data set's
real format; read at each check, so it can be set at any time).

Nothing half-done is ever left behind: a download is streamed into a temporary file beside
its target and renamed into place only once complete and md5-checked; an archive is
extracted into a temporary folder beside its destination and its top-level entries are
renamed into place only once all of it was extracted.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from minitorch.serialization import atomic_write

__all__ = ["calculate_md5", "check_integrity", "check_md5", "download_and_extract_archive",
           "download_url", "extract_archive", "skip_md5"]

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror is given up


def skip_md5() -> bool:
    """Whether ``MINITORCH_SKIP_MD5=1`` turns md5 checks of data-set files off."""
    return os.environ.get("MINITORCH_SKIP_MD5", "") == "1"


def calculate_md5(fpath: str | os.PathLike, chunk_size: int = 1024 * 1024) -> str:
    """The md5 hex digest of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(fpath: str | os.PathLike, md5: str) -> bool:
    """Whether the file's md5 is ``md5`` (always True with ``MINITORCH_SKIP_MD5=1``)."""
    return skip_md5() or calculate_md5(fpath) == md5


def check_integrity(fpath: str | os.PathLike, md5: str | None = None) -> bool:
    """Whether ``fpath`` is a file and (when ``md5`` is given) has that md5 sum."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def _fetch(url: str, md5: str | None, out: IO[bytes], timeout: float) -> None:
    """Stream ``url`` into ``out``; RuntimeError if its md5 is not ``md5``."""
    digest = hashlib.md5(usedforsecurity=False)
    with urllib.request.urlopen(url, timeout=timeout) as response:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if md5 is not None and not skip_md5() and digest.hexdigest() != md5:
        raise RuntimeError(f"md5 mismatch: got {digest.hexdigest()}, expected {md5}")


def download_url(url: str | Sequence[str], root: str | os.PathLike, filename: str | None = None,
                 md5: str | None = None, timeout: float = DOWNLOAD_TIMEOUT) -> Path:
    """Download ``url`` into ``root/filename`` unless a file with that md5 is there already.

    Parameters
    ----------
    url
        The address, or several mirrors tried in turn (``mirror + filename`` is not
        assumed: give whole addresses).
    root, filename
        Where the file goes; ``filename`` defaults to the last part of the (first) url.
    md5
        The published md5 sum the download must have.

    Returns
    -------
    pathlib.Path
        The file.

    Raises
    ------
    RuntimeError
        If no mirror delivered the file with the right md5, listing each attempt. The
        target is then untouched (written atomically).
    """
    urls = [url] if isinstance(url, str) else list(url)
    root = Path(os.path.expanduser(os.fspath(root)))
    filename = filename or os.path.basename(urls[0])
    target = root / filename
    root.mkdir(parents=True, exist_ok=True)
    if check_integrity(target, md5):
        return target
    errors = []
    for address in urls:
        print(f"Downloading {address}", file=sys.stderr)
        try:
            atomic_write(target, lambda fh, a=address: _fetch(a, md5, fh, timeout))
            return target
        except (OSError, RuntimeError, ValueError, http.client.HTTPException) as e:
            errors.append(f"    {address}: {e}")
    raise RuntimeError(f"could not download {filename}:\n" + "\n".join(errors) +
                       f"\nDownload it by hand and put it in {root.resolve()}")


def extract_archive(from_path: str | os.PathLike, to_path: str | os.PathLike | None = None,
                    remove_finished: bool = False) -> str:
    """Extract a ``.tar``, ``.tar.gz``/``.tgz`` or ``.zip`` archive into ``to_path``.

    Extracted into a temporary folder inside ``to_path`` first; each top-level entry is
    then renamed into place (replacing an older copy), so an interrupted or failed
    extraction leaves no partial folder. Tar members are filtered as Python's ``"data"``
    filter does (no absolute paths, no links out of the folder, no devices).

    Returns
    -------
    str
        ``to_path``.
    """
    from_path = Path(from_path)
    to_path = Path(to_path) if to_path is not None else from_path.parent
    to_path.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=to_path, prefix=".extract."))
    try:
        try:
            if zipfile.is_zipfile(from_path):
                with zipfile.ZipFile(from_path) as archive:
                    archive.extractall(staging)
            else:
                with tarfile.open(from_path) as archive:
                    archive.extractall(staging, filter="data")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as e:
            raise RuntimeError(f"{from_path}: cannot extract the archive: {e}") from e
        for entry in sorted(staging.iterdir()):
            dest = to_path / entry.name
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest)
            os.replace(entry, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if remove_finished:
        from_path.unlink()
    return str(to_path)


def download_and_extract_archive(url: str | Sequence[str], download_root: str | os.PathLike,
                                 extract_root: str | os.PathLike | None = None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    """:func:`download_url`, then :func:`extract_archive` into ``extract_root``
    (default ``download_root``)."""
    archive = download_url(url, download_root, filename, md5)
    extract_archive(archive, extract_root or download_root, remove_finished)
