"""Diagram UI views, one module per model (importing them registers them with ``register_model_view``)."""

from .diagrams import *  # noqa: F401,F403
from .editor import *  # noqa: F401,F403
from .templates import *  # noqa: F401,F403
from .versions import *  # noqa: F401,F403
