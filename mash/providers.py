"""A function a higher layer supplies to a lower one.

A lower layer sometimes needs an answer only a higher one has: the triage queue shows the sweeper's
alert levels (notifications), and a casework write is checked against the census rules (reports).
Importing upward would tie the layers in a loop, so the lower layer declares a :class:`Provider` and
the higher one supplies the function in its ``AppConfig.ready()``. Calling a provider nobody
supplied is a configuration error, raised at once, never a silent default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Provider:
    def __init__(self, name: str, supplied_by: str) -> None:
        self.name = name
        self.supplied_by = supplied_by
        self._function: Callable[..., Any] | None = None

    def supply(self, function: Callable[..., Any]) -> None:
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function is None:
            raise ImproperlyConfigured(
                f"{self.name} has no provider: {self.supplied_by} supplies it in its AppConfig.ready()"
            )
        return self._function(*args, **kwargs)
