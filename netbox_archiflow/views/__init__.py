"""UI views, one module per concern (importing them registers them with ``register_model_view``)."""

from .alerts import *  # noqa: F401,F403
from .pools import *  # noqa: F401,F403
