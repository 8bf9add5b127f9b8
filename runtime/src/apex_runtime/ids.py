"""Random (version 4) UUIDs for ids made on the hot path, drawn from a pooled read of the OS's
randomness.

`uuid.uuid4()` asks the kernel for 16 bytes on every call and then builds a `UUID` object; the
gateway makes two or three ids per command (task, message, project). One 4 KiB read serves
256 ids here, and `random_id()` formats the text form without a `UUID` object (~0.4 µs against
~2 µs for `str(uuid4())`). The bytes come from `os.urandom` as uuid4's do, so the ids are as
unguessable; each pool belongs to one thread and is dropped in a forked child, so no two
callers are ever handed the same bytes.
"""

import os
import threading
from uuid import UUID

_IDS_PER_READ = 256
_SIZE = 16


class _Pool(threading.local):
    def __init__(self) -> None:
        self.buffer = memoryview(b"")
        self.offset = 0

    def take(self) -> memoryview:
        if self.offset >= len(self.buffer):
            self.buffer = memoryview(_version_4_blocks(os.urandom(_SIZE * _IDS_PER_READ)))
            self.offset = 0
        block = self.buffer[self.offset : self.offset + _SIZE]
        self.offset += _SIZE
        return block


def _version_4_blocks(raw: bytes) -> bytearray:
    """Each 16-byte block with the version (4) and variant (RFC 9562) bits set."""
    blocks = bytearray(raw)
    for start in range(0, len(blocks), _SIZE):
        blocks[start + 6] = (blocks[start + 6] & 0x0F) | 0x40
        blocks[start + 8] = (blocks[start + 8] & 0x3F) | 0x80
    return blocks


_pool = _Pool()


def _forget_in_child() -> None:
    global _pool
    _pool = _Pool()


os.register_at_fork(after_in_child=_forget_in_child)


def random_id() -> str:
    """A new version-4 UUID in its canonical text form, as `str(uuid.uuid4())` gives."""
    h = _pool.take().hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def random_uuid() -> UUID:
    """A new version-4 UUID, as `uuid.uuid4()` gives."""
    return UUID(bytes=bytes(_pool.take()))
