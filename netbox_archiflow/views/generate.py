"""Generate a diagram from NetBox (form) and refresh a generated one (button on the diagram)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from utilities.views import ConditionalLoginRequiredMixin, register_model_view

from netbox_archiflow import forms
from netbox_archiflow.models import Diagram
from netbox_archiflow.services import generate as generator
from netbox_archiflow.services.errors import ServiceError

from .actions import ObjectActionView

__all__ = ('DiagramGenerateView', 'DiagramRefreshView')

SCOPE_FIELDS = {'dcim.site': 'site', 'dcim.location': 'location', 'dcim.rack': 'rack', 'ipam.vrf': 'vrf'}


@register_model_view(Diagram, 'generate', path='generate', detail=False)
class DiagramGenerateView(ConditionalLoginRequiredMixin, View):
    """Choose kind, scope and options; the diagram is created at version 1."""

    template_name = 'netbox_archiflow/diagram_generate.html'

    def _check(self, request):
        if not request.user.has_perm('netbox_archiflow.add_diagram'):
            raise Http404

    def get(self, request):
        self._check(request)
        initial = {'kind': request.GET.get('kind') or 'physical'}
        field = SCOPE_FIELDS.get(request.GET.get('scope_type'))
        if field and request.GET.get('scope_id'):
            initial[field] = request.GET['scope_id']
        if request.GET.get('name'):
            initial['name'] = request.GET['name'][:100]
        return render(request, self.template_name, {'form': forms.DiagramGenerateForm(initial=initial)})

    def post(self, request):
        self._check(request)
        form = forms.DiagramGenerateForm(request.POST)
        if form.is_valid():
            try:
                spec = generator.parse_spec(request.user, *form.spec_arguments())
                fields = {'description': form.cleaned_data['description']} if form.cleaned_data['description'] else {}
                diagram = generator.generate_diagram(form.cleaned_data['name'], spec, request.user, **fields)
            except ServiceError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _('Generated diagram {name}.').format(name=diagram.name))
                return redirect(diagram.get_absolute_url())
        return render(request, self.template_name, {'form': form})


@register_model_view(Diagram, 'refresh', path='refresh')
class DiagramRefreshView(ObjectActionView):
    """Back on the diagram. Without change permission the diagram is not found."""

    queryset = Diagram.objects.defer_large()
    permission = 'netbox_archiflow.change_diagram'
    forbid = False

    def perform(self, request, diagram):
        saved, merged = generator.refresh_diagram(diagram, request.user)
        if saved.modified:
            messages.success(request, _('Version {v}: {summary}').format(v=diagram.version, summary=merged.summary))
        else:
            messages.info(request, _('NetBox has not changed since the last refresh: no new version.'))

    def get_success_url(self, request, diagram, **kwargs):
        return diagram.get_absolute_url()
