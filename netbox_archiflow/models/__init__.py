from .diagrams import Diagram, DiagramTemplate, DiagramVersion

__all__ = ('Diagram', 'DiagramTemplate', 'DiagramVersion')
