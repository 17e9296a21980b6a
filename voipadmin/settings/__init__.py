"""The one settings module, configured by the environment (README "Configuration")."""

from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .rest_framework import *  # noqa: F403
