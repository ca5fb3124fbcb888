from netbox.search import SearchIndex, register_search

from .models import Diagram, DiagramTemplate


@register_search
class DiagramIndex(SearchIndex):
    model = Diagram
    fields = (
        ('name', 100),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('site', 'status', 'version', 'description')


@register_search
class DiagramTemplateIndex(SearchIndex):
    model = DiagramTemplate
    fields = (
        ('name', 100),
        ('slug', 110),
        ('category', 300),
        ('description', 500),
    )
    display_attrs = ('category', 'description')


indexes = [DiagramIndex, DiagramTemplateIndex]
