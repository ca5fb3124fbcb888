from .segments import *  # noqa: F403
