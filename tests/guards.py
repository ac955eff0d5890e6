"""Guards for tests of bounded work: a hang becomes a failure, never a speed assertion."""

import signal
from contextlib import contextmanager


@contextmanager
def at_most(seconds: int, what: str = "still working"):
    """Fail if the block runs longer than ``seconds`` (the old behaviour ran for tens of minutes)."""

    def expired(*_):
        raise AssertionError(f"{what} after {seconds} s: the work is not bounded")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
