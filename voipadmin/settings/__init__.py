"""The one settings module, configured by the environment (docs/configuration.md)."""

from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .rest_framework import *  # noqa: F403
