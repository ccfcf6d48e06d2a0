"""What varies from one run to the next, injected in one place: the random source, the clock,
chaos counters, the templating built on them, and the server's lifecycle."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from mockserver.model import ResponseDefinition, is_template
from mockserver.respond.chaos import ChaosState

if TYPE_CHECKING:  # templating (and Jinja2) load only when a stub is a template
    from mockserver.respond.templating import Templating

Clock = Callable[[], datetime]


class Runtime:
    """A seeded `rng` (reseeded by a reset, so a reset replays the same random choices)."""

    def __init__(self, *, seed: int | None = None, clock: Clock | None = None,
                 templating_everywhere: bool = False) -> None:
        self.seed = seed
        self.rng = random.Random()
        if seed is not None:
            self.rng.seed(seed)
        self.clock = clock  # None: the wall clock, in UTC
        self.chaos = ChaosState()  # failFirst counters, rate limits
        self.started_at = time.time()
        self.shutdown: asyncio.Event | None = None  # set by the runner; set() stops the server
        self._templating_everywhere = templating_everywhere
        self._templating: Templating | None = None

    @property
    def templating(self) -> Templating:
        """Made on first need: servers whose stubs use no templates never load Jinja2."""
        if self._templating is None:
            from mockserver.respond.templating import Templating

            clock = () if self.clock is None else (self.clock,)
            self._templating = Templating(self.rng, *clock,
                                          everywhere=self._templating_everywhere)
        return self._templating

    def templating_for(self, response: ResponseDefinition) -> Templating | None:
        """The templating to render `response` with, or None when it is not a template."""
        if is_template(response, everywhere=self._templating_everywhere):
            return self.templating
        return None

    def reset(self) -> None:
        """WireMock's reset: chaos counters start again, and so do the random choices."""
        self.chaos.clear()
        if self.seed is not None:
            self.rng.seed(self.seed)
