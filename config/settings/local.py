"""Development on a laptop: `make run`. Debug on, a fixed insecure key, console email."""

from config.settings.base import *  # noqa: F403
from config.settings.environment import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "keel-local-development-key-not-for-production")
