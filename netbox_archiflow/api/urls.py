from netbox.api.routers import NetBoxRouter

app_name = 'netbox_archiflow-api'

router = NetBoxRouter()

urlpatterns = router.urls
