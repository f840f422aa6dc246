"""`make run`: the whole system on one machine with embedded defaults."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
