"""Signal receivers, one module per concern. Imported by ``ArchiFlowConfig.ready()`` after ``super().ready()``."""

from . import alerts, clusters, pools, segments  # noqa: F401
