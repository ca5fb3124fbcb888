app_name = 'netbox_archiflow'

urlpatterns = []
