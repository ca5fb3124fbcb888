from .diagrams import *  # noqa: F403
