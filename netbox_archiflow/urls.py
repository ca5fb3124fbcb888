from django.urls import include, path

from utilities.urls import get_model_urls

from . import views  # noqa: F401  (registers the model views)

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
]
