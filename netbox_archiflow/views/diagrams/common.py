"""Helpers shared by the diagram, version, template and editor views."""

import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from utilities.views import ConditionalLoginRequiredMixin

from netbox_archiflow.models import Diagram

PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90" viewBox="0 0 160 90">'
    '<rect width="160" height="90" fill="#f1f3f5"/>'
    '<text x="80" y="50" font-family="sans-serif" font-size="12" fill="#868e96" text-anchor="middle">'
    'no preview</text></svg>'
)


def restricted(model, request, action):
    return model.objects.restrict(request.user, action)


def svg_response(svg, request, *, download_name=None):
    """An SVG that cannot run anything: CSP sandbox, nosniff, and an ETag for cheap revalidation."""
    etag = '"' + hashlib.sha256(svg.encode('utf-8')).hexdigest()[:32] + '"'
    if request.headers.get('If-None-Match') == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(svg, content_type='image/svg+xml; charset=utf-8')
    response['ETag'] = etag
    response['Content-Security-Policy'] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response['X-Content-Type-Options'] = 'nosniff'
    response['Cache-Control'] = 'private, no-cache'
    if download_name:
        response['Content-Disposition'] = f'attachment; filename="{download_name}.svg"'
    return response


class DiagramObjectMixin(ConditionalLoginRequiredMixin):
    action = 'view'

    def get_diagram(self, request, pk, *only):
        qs = restricted(Diagram, request, self.action)
        if only:
            qs = qs.only('pk', 'name', 'version', *only)
        return get_object_or_404(qs, pk=pk)
