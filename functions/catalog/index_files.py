"""Where the search index lives: a tar per version in S3, a version pointer in DynamoDB.

- The indexer builds version n+1 from version n, uploads ``search/<n+1>.tar`` and then moves
  the pointer from n to n+1 with a conditional write. Two indexers racing: one wins, the
  other gets ``StaleIndex``, reloads n+1 and applies its batch again (optimistic concurrency).
- Readers (the API) check the pointer at most every ``REFRESH_SECONDS`` and download a new
  version into their ``/tmp`` once; queries never touch S3.
The pointer remembers the keys of the last ``KEEP_VERSIONS`` versions; older ones are deleted,
so a reader that just read the pointer can still download the version it names.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

import boto3
import tantivy
from pynamodb.exceptions import PutError

from catalog import search, settings
from catalog.store import SearchIndexPointer
from titan import clock
from titan.ids import new_id

REFRESH_SECONDS = 1.0
KEEP_VERSIONS = 3


class StaleIndex(RuntimeError):
    """Another indexer published a newer version since this one was loaded."""


def _bucket() -> str:
    return settings.SETTINGS.needed("catalog_search_bucket")


def _key(version: int) -> str:
    """Unique per attempt: a writer that loses the race deletes only its own upload."""
    return f"search/{version:012d}-{new_id('idx')}.tar"


def _pointer() -> SearchIndexPointer | None:
    try:
        return SearchIndexPointer.get(
            *SearchIndexPointer.key(search.SCHEMA_TAG), consistent_read=True
        )
    except SearchIndexPointer.DoesNotExist:
        return None


def published_version() -> int:
    """The version readers use now (0: nothing published yet); reads only the pointer."""
    pointer = _pointer()
    return int(pointer.version) if pointer else 0


class LocalIndex:
    """One process's copy of the index: a version in a ``/tmp`` folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.gettempdir()) / f"titan-search-{os.getpid()}"
        self.version = 0
        self.pointer: SearchIndexPointer | None = None
        self.index: tantivy.Index | None = None
        self._checked = 0.0
        self._s3 = None

    @property
    def s3(self):
        self._s3 = self._s3 or boto3.client("s3")
        return self._s3

    def _folder(self, version: int) -> Path:
        return self.root / f"v{version}"

    def _load(self, pointer: SearchIndexPointer | None) -> None:
        version = int(pointer.version) if pointer else 0
        if self.index is not None and version == self.version:
            return
        folder = self._folder(version)
        shutil.rmtree(folder, ignore_errors=True)
        if pointer is not None:
            body = self.s3.get_object(Bucket=_bucket(), Key=pointer.object_key)["Body"].read()
            with tarfile.open(fileobj=io.BytesIO(body)) as archive:
                archive.extractall(folder, filter="data")
        index = search.open_index(folder)
        index.reload()
        for old in self.root.glob("v*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        self.index, self.version, self.pointer = index, version, pointer

    def current(self) -> tantivy.Index:
        """The newest published version (checked at most every REFRESH_SECONDS)."""
        now = time.monotonic()
        if self.index is None or now - self._checked >= REFRESH_SECONDS:
            self._load(_pointer())
            self._checked = now
        return self.index

    def latest(self) -> tantivy.Index:
        """The newest published version, checked now (for writers)."""
        self._load(_pointer())
        self._checked = time.monotonic()
        return self.index

    def publish(self, documents: int) -> int:
        """Upload the local folder as the next version and move the pointer to it.
        Returns the new version. Raises StaleIndex when another writer got there first."""
        version, key = self.version + 1, _key(self.version + 1)
        folder = self._folder(self.version)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.endswith(".lock"):
                    archive.add(path, arcname=path.name)
        self.s3.put_object(Bucket=_bucket(), Key=key, Body=buffer.getvalue())
        previous = [self.pointer.object_key, *self.pointer.previous_keys] if self.pointer else []
        pointer = SearchIndexPointer(
            *SearchIndexPointer.key(search.SCHEMA_TAG),
            version=version,
            object_key=key,
            previous_keys=previous[: KEEP_VERSIONS - 1],
            documents=documents,
            updated_at=clock.iso(),
        )
        condition = (
            SearchIndexPointer.pk.does_not_exist()
            if self.version == 0
            else SearchIndexPointer.version == self.version
        )
        try:
            pointer.save(condition=condition)
        except PutError as exc:
            self.s3.delete_object(Bucket=_bucket(), Key=key)
            self.index = None  # the next load starts from the winner's version
            raise StaleIndex(f"version {self.version} is no longer current") from exc
        for old in previous[KEEP_VERSIONS - 1 :]:
            self.s3.delete_object(Bucket=_bucket(), Key=old)
        self._adopt(version, pointer)
        return version

    def _adopt(self, version: int, pointer: SearchIndexPointer) -> None:
        """The folder just published becomes that version's folder (no download needed)."""
        self._folder(self.version).rename(self._folder(version))
        self.index = search.open_index(self._folder(version))
        self.index.reload()
        self.version, self.pointer = version, pointer
        self._checked = time.monotonic()
