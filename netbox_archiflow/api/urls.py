from django.urls import path

from netbox.api.routers import NetBoxRouter

from . import views

app_name = 'netbox_archiflow-api'

router = NetBoxRouter()
router.register('segments', views.SegmentViewSet)

urlpatterns = [
    # Before the router: its detail route would otherwise take "allocate" as a primary key.
    path('segments/allocate/', views.SegmentAllocateView.as_view(), name='segment-allocate'),
    path('segments/<int:pk>/release/', views.SegmentReleaseView.as_view(), name='segment-release'),
    *router.urls,
]
