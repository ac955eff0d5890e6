"""The time one extraction may spend, checked inside the long loops (every candidate name, every
sentence, every frame), not only between stages: a stage that runs away on a pathological page is
stopped within one step of its budget, with the stage named in the reason."""

import math
import time
from collections.abc import Callable

from .errors import ExtractionError


class Budget:
    """``seconds`` of wall time from now; ``max_steps`` (tests, profiling) bounds the number of
    checks instead, so a test can assert where extraction stops without timing anything."""

    def __init__(self, seconds: float = math.inf, *, max_steps: int | None = None,
                 clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self.seconds, self.max_steps, self.clock = seconds, max_steps, clock
        self.deadline = clock() + seconds
        self.steps = 0

    def check(self, stage: str) -> None:
        self.steps += 1
        if self.max_steps is not None and self.steps > self.max_steps:
            raise ExtractionError(f"too slow: stopped in {stage} after {self.max_steps:,} steps")
        if self.clock() > self.deadline:
            raise ExtractionError(f"too slow: stopped in {stage} (budget {self.seconds:.0f} s); retry it later, or "
                                  "shorten the article")  # fmt: skip
