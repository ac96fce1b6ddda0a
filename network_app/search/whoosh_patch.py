"""One change to Whoosh (whoosh-reloaded 2.7.5), applied when the search package is imported.

Whoosh reads a segment through a memory map, but wraps each file it opens inside the segment in
io.BytesIO(memoryview), and BytesIO copies what it is given: opening a reader of a 50,000-document
index copied some 150 MB, 50 ms each time a search process or a writer opened it (after every
saved change). ViewFile reads the memory map where it is instead. Remove this module when Whoosh
stops copying (check whoosh/filedb/structfile.py: BufferFile.__init__).
"""
from whoosh.filedb import structfile


class ViewFile:
    """The read-only file interface Whoosh uses (read, readinto, readline, seek, tell) over a buffer."""

    def __init__(self, buffer):
        self._view = memoryview(buffer)
        self._pos = 0
        self._size = len(self._view)

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = self._size if size is None or size < 0 else min(self._size, start + size)
        self._pos = end
        return self._view[start:end].tobytes()

    def readinto(self, target) -> int:
        start = self._pos
        count = min(len(target), self._size - start)
        target[:count] = self._view[start:start + count]
        self._pos = start + count
        return count

    def readline(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        start = position = self._pos
        while position < end:
            chunk = self._view[position:min(end, position + 4096)].tobytes()
            found = chunk.find(b"\n")
            if found != -1:
                end = position + found + 1
                break
            position += len(chunk)
        self._pos = end
        return self._view[start:end].tobytes()

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, position: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + position)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()

    def write(self, _data):
        raise OSError("read-only")


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> None:
    structfile.BufferFile.__init__ = _buffer_file_init
