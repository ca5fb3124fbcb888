"""Signal handlers keeping plugin objects consistent with native NetBox objects. Imported by ready()."""

from . import segments  # noqa: F401
