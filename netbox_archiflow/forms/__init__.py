"""Forms, one module per concern, re-exported here."""

from .alerts import *  # noqa: F401,F403
from .diagrams import *  # noqa: F401,F403
from .generate import *  # noqa: F401,F403
from .pools import *  # noqa: F401,F403
from .segments import *  # noqa: F401,F403
