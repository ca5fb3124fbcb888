import strawberry
import strawberry_django

from .types import DiagramTemplateType, DiagramType, DiagramVersionType


@strawberry.type(name='Query')
class DiagramsQuery:
    netbox_archiflow_diagram: DiagramType = strawberry_django.field()
    netbox_archiflow_diagram_list: list[DiagramType] = strawberry_django.field()
    netbox_archiflow_diagram_version: DiagramVersionType = strawberry_django.field()
    netbox_archiflow_diagram_version_list: list[DiagramVersionType] = strawberry_django.field()
    netbox_archiflow_diagram_template: DiagramTemplateType = strawberry_django.field()
    netbox_archiflow_diagram_template_list: list[DiagramTemplateType] = strawberry_django.field()


schema = [DiagramsQuery]
