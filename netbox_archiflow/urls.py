from django.urls import include, path, re_path
from utilities.urls import get_model_urls

from . import views  # noqa: F401  (registers the model views)
from .views.diagrams import DiagramFromTemplateView, drawio_static

app_name = 'netbox_archiflow'

urlpatterns = [
    path('segments/', include(get_model_urls('netbox_archiflow', 'segment', detail=False))),
    path('segments/<int:pk>/', include(get_model_urls('netbox_archiflow', 'segment'))),
    path('ip-pools/', include(get_model_urls('netbox_archiflow', 'ippool', detail=False))),
    path('ip-pools/<int:pk>/', include(get_model_urls('netbox_archiflow', 'ippool'))),
    path('ip-allocations/', include(get_model_urls('netbox_archiflow', 'ipallocation', detail=False))),
    path('ip-allocations/<int:pk>/', include(get_model_urls('netbox_archiflow', 'ipallocation'))),
    path('alerts/', include(get_model_urls('netbox_archiflow', 'alert', detail=False))),
    path('alerts/<int:pk>/', include(get_model_urls('netbox_archiflow', 'alert'))),
    # Diagrams
    path('diagrams/from-template/', DiagramFromTemplateView.as_view(), name='diagram_from_template'),
    path('diagrams/', include(get_model_urls('netbox_archiflow', 'diagram', detail=False))),
    path('diagrams/<int:pk>/', include(get_model_urls('netbox_archiflow', 'diagram'))),
    path('diagram-versions/', include(get_model_urls('netbox_archiflow', 'diagramversion', detail=False))),
    path('diagram-versions/<int:pk>/', include(get_model_urls('netbox_archiflow', 'diagramversion'))),
    path('diagram-templates/', include(get_model_urls('netbox_archiflow', 'diagramtemplate', detail=False))),
    path('diagram-templates/<int:pk>/', include(get_model_urls('netbox_archiflow', 'diagramtemplate'))),
    # The self-hosted Draw.io web app (same origin as NetBox)
    re_path(r'^drawio/(?P<path>.*)$', drawio_static, name='drawio'),
]
