"""Service processes a test starts die with the test run, even when pytest is SIGKILLed.

A service started by a test outlives a killed pytest otherwise: it keeps its port, consumes
from the test vhost and makes the next run fail in odd ways. The kernel can signal a child
when its parent dies (Linux `prctl(PR_SET_PDEATHSIG)`); pass `die_with_parent` as the
`preexec_fn` of the subprocess.
"""

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (or if it already has)."""
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        return  # not Linux, or refused: the child lives on as before
    if os.getppid() != parent:  # the parent died between fork and prctl
        os.kill(os.getpid(), signal.SIGTERM)
