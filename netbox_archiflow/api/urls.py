from netbox.api.routers import NetBoxRouter

from .views import DiagramTemplateViewSet, DiagramVersionViewSet, DiagramViewSet

app_name = 'netbox_archiflow-api'

router = NetBoxRouter()
router.register('diagrams', DiagramViewSet)
router.register('diagram-versions', DiagramVersionViewSet)
router.register('diagram-templates', DiagramTemplateViewSet)

urlpatterns = router.urls
