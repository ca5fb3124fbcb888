from django.urls import include, path
from netbox.api.routers import NetBoxRouter

from . import views

app_name = 'netbox_archiflow-api'

router = NetBoxRouter()
router.register('segments', views.SegmentViewSet)
router.register('ip-pools', views.IPPoolViewSet)
router.register('ip-allocations', views.IPAllocationViewSet)
router.register('alerts', views.AlertViewSet)
router.register('diagrams', views.DiagramViewSet)
router.register('diagram-versions', views.DiagramVersionViewSet)
router.register('diagram-templates', views.DiagramTemplateViewSet)
router.register('diagram-links', views.DiagramLinkViewSet)

urlpatterns = [
    # Before the router: its detail route would otherwise take "allocate" as a primary key.
    path('segments/allocate/', views.SegmentAllocateView.as_view(), name='segment-allocate'),
    # <pk> and not <int:pk>: the views answer a non-numeric id with the API's JSON 404, not NetBox's HTML page.
    path('segments/<pk>/release/', views.SegmentReleaseView.as_view(), name='segment-release'),
    path('ip-pools/<pk>/allocate/', views.IPPoolAllocateView.as_view(), name='ippool-allocate'),
    path('rpc/', include('netbox_archiflow.rpc.urls')),
    *router.urls,
]
