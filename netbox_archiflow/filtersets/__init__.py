from .diagrams import DiagramFilterSet, DiagramTemplateFilterSet, DiagramVersionFilterSet

__all__ = ('DiagramFilterSet', 'DiagramTemplateFilterSet', 'DiagramVersionFilterSet')
