"""The pooled version-4 ids: the same form as uuid4's, never repeated, not shared with a fork."""

import os
import threading
from uuid import UUID

from apex_runtime.ids import random_id, random_uuid


def test_ids_are_canonical_version_4_uuids() -> None:
    for _ in range(600):  # more than one pooled read
        text = random_id()
        parsed = UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == "specified in RFC 4122"
        made = random_uuid()
        assert made.version == 4 and made.variant == "specified in RFC 4122"


def test_no_id_repeats_across_threads() -> None:
    seen: list[list[str]] = []

    def draw() -> None:
        seen.append([random_id() for _ in range(2000)])

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for ids in seen for i in ids]
    assert len(every) == 8000
    assert len(set(every)) == len(every)


def test_a_forked_child_draws_other_ids_than_its_parent() -> None:
    random_id()  # the parent's pool is filled and part-used
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next ids and leave at once
        os.close(read_end)
        os.write(write_end, ",".join(random_id() for _ in range(8)).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child = set(pipe.read().split(","))
    os.waitpid(pid, 0)
    parent = {random_id() for _ in range(8)}
    assert len(child) == 8
    assert not child & parent
