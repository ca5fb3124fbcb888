"""UI views, one module per concern (importing them registers them with ``register_model_view``), re-exported here."""

from .alerts import *  # noqa: F401,F403
from .diagram_links import *  # noqa: F401,F403
from .diagrams import *  # noqa: F401,F403
from .generate import *  # noqa: F401,F403
from .pools import *  # noqa: F401,F403
from .segments import *  # noqa: F401,F403
