"""GraphQL types, one module per concern, re-exported here (NetBox finds <Model>Type by this path)."""

from .diagrams import *  # noqa: F401,F403
from .pools import *  # noqa: F401,F403
from .segments import *  # noqa: F401,F403
