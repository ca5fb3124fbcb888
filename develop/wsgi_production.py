"""WSGI application for ``ARCHIFLOW_DEBUG=0 develop/run``: NetBox's own, as gunicorn serves it in production.

Production puts nginx or Apache in front for the static files; here the same process serves them, so the
benchmark instance needs nothing but gunicorn.
"""

from django.contrib.staticfiles.handlers import StaticFilesHandler
from netbox.wsgi import application as netbox_application

application = StaticFilesHandler(netbox_application)
