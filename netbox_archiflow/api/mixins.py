from rest_framework.response import Response

from netbox_archiflow.services.errors import ServiceError


class ServiceErrorMixin:
    """Answer a ServiceError raised anywhere in a view with its status and ``{"code", "detail"}`` body."""

    def handle_exception(self, exc):
        if isinstance(exc, ServiceError):
            return Response(exc.as_dict(), status=exc.status)
        return super().handle_exception(exc)
