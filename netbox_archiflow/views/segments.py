from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.object_actions import AddObject, BulkDelete, BulkEdit, BulkExport, BulkImport, DeleteObject, EditObject
from netbox.ui import layout, panels
from netbox.views import generic
from utilities.views import register_model_view

from netbox_archiflow import filtersets, forms, tables
from netbox_archiflow.models import Segment
from netbox_archiflow.object_actions import AllocateSegments, ReleaseSegment
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import ServiceError
from netbox_archiflow.ui import panels as ui_panels

from .actions import ActionPermissionsMixin, ObjectActionView

__all__ = (
    'SegmentAllocateView',
    'SegmentBulkDeleteView',
    'SegmentBulkEditView',
    'SegmentBulkImportView',
    'SegmentDeleteView',
    'SegmentEditView',
    'SegmentListView',
    'SegmentReleaseView',
    'SegmentView',
)


def segment_list_queryset():
    return Segment.objects.select_related(
        'prefix', 'vrf', 'site_group', 'vlan', 'vlan__group', 'netbox_cluster', 'owner'
    )


@register_model_view(Segment, 'list', path='', detail=False)
class SegmentListView(generic.ObjectListView):
    queryset = segment_list_queryset()
    filterset = filtersets.SegmentFilterSet
    filterset_form = forms.SegmentFilterForm
    table = tables.SegmentTable
    actions = (AddObject, AllocateSegments, BulkImport, BulkExport, BulkEdit, BulkDelete)


@register_model_view(Segment)
class SegmentView(ActionPermissionsMixin, generic.ObjectView):
    queryset = segment_list_queryset().select_related('prefix__vrf', 'prefix__tenant', 'prefix__role')
    template_name = 'generic/object.html'
    actions = (ReleaseSegment, EditObject, DeleteObject)
    layout = layout.Layout(
        layout.Row(
            layout.Column(
                ui_panels.SegmentPanel(title=_('Segment')),
                TagsPanel(),
                panels.PluginContentPanel('left_page'),
            ),
            layout.Column(
                ui_panels.SegmentStatePanel(title=_('Allocation')),
                CustomFieldsPanel(),
                panels.CommentsPanel(),
                panels.PluginContentPanel('right_page'),
            ),
        ),
    )


@register_model_view(Segment, 'add', detail=False)
@register_model_view(Segment, 'edit')
class SegmentEditView(generic.ObjectEditView):
    queryset = Segment.objects.all()
    form = forms.SegmentForm


@register_model_view(Segment, 'delete')
class SegmentDeleteView(generic.ObjectDeleteView):
    queryset = Segment.objects.all()


@register_model_view(Segment, 'bulk_import', path='import', detail=False)
class SegmentBulkImportView(generic.BulkImportView):
    queryset = Segment.objects.all()
    model_form = forms.SegmentImportForm


@register_model_view(Segment, 'bulk_edit', path='edit', detail=False)
class SegmentBulkEditView(generic.BulkEditView):
    queryset = segment_list_queryset()
    filterset = filtersets.SegmentFilterSet
    table = tables.SegmentTable
    form = forms.SegmentBulkEditForm


@register_model_view(Segment, 'bulk_delete', path='delete', detail=False)
class SegmentBulkDeleteView(generic.BulkDeleteView):
    queryset = segment_list_queryset()
    filterset = filtersets.SegmentFilterSet
    table = tables.SegmentTable


@register_model_view(Segment, 'allocate', path='allocate', detail=False)
class SegmentAllocateView(ObjectActionView):
    """Allocate free segments of a (site group, VRF) pool to a cluster: a form, not one object."""

    queryset = Segment.objects.all()
    permission = 'netbox_archiflow.allocate_segment'
    template_name = 'netbox_archiflow/segment_allocate.html'

    def _render(self, request, form):
        return render(
            request,
            self.template_name,
            {'form': form, 'return_url': self.get_return_url(request)},
        )

    def get(self, request):
        return self._render(request, forms.SegmentAllocateForm(initial=request.GET))

    def post(self, request):
        form = forms.SegmentAllocateForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        try:
            segments, created = service.allocate_segments(
                data['site_group'], data['vrf'], data['cluster'], data['count'], user=request.user
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            return self._render(request, form)
        listing = ', '.join(str(segment) for segment in segments)
        if created:
            messages.success(
                request, _('Allocated to {cluster}: {segments}').format(cluster=data['cluster'], segments=listing)
            )
        else:
            messages.info(
                request, _('{cluster} already holds: {segments}').format(cluster=data['cluster'], segments=listing)
            )
        if len(segments) == 1:
            return redirect(segments[0].get_absolute_url())
        return redirect(f'{reverse("plugins:netbox_archiflow:segment_list")}?cluster={data["cluster"]}')


@register_model_view(Segment, 'release')
class SegmentReleaseView(ObjectActionView):
    """POST: return a segment to its pool."""

    queryset = Segment.objects.all()
    permission = 'netbox_archiflow.release_segment'

    def get(self, request, pk):
        return redirect(self.get_object(pk).get_absolute_url())

    def perform(self, request, segment):
        segment = service.release_segment(segment, user=request.user)
        messages.success(request, _('Released segment {segment}').format(segment=segment))
