from django.urls import include, path

from netbox.api.routers import NetBoxRouter

from . import views

app_name = 'netbox_archiflow-api'

router = NetBoxRouter()
router.register('ip-pools', views.IPPoolViewSet)
router.register('ip-allocations', views.IPAllocationViewSet)
router.register('alerts', views.AlertViewSet)

urlpatterns = [
    path('ip-pools/<int:pk>/allocate/', views.IPPoolAllocateView.as_view(), name='ippool-allocate'),
    path('rpc/', include('netbox_archiflow.rpc.urls')),
    *router.urls,
]
