from django.urls import include, path

from utilities.urls import get_model_urls

from . import views  # noqa: F401  (registers the model views)

app_name = 'netbox_archiflow'

urlpatterns = [
    path('segments/', include(get_model_urls('netbox_archiflow', 'segment', detail=False))),
    path('segments/<int:pk>/', include(get_model_urls('netbox_archiflow', 'segment'))),
]
