"""Diagrams edited in Draw.io, their immutable version history and reusable templates.

The XML and SVG columns can be megabytes: list views and list APIs leave them unloaded (``defer_large()``), and
the change log records a digest of them instead of the content (the versions hold the content).
"""

import functools
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.models import ChangeLoggedModel, OrganizationalModel, PrimaryModel
from utilities.querysets import RestrictedQuerySet

from netbox_archiflow import plugin_settings
from netbox_archiflow.choices import DiagramStatusChoices, DiagramVersionKindChoices
from netbox_archiflow.drawio.errors import DrawioError
from netbox_archiflow.drawio.templates import validate_template_definition

__all__ = (
    'Diagram',
    'DiagramLink',
    'DiagramTemplate',
    'DiagramVersion',
    'content_digest',
    'format_digest',
    'text_sha256',
)

CONTENT_FIELDS = ('xml', 'version', 'preview_svg')


@functools.lru_cache(maxsize=2)
def text_sha256(text):
    """SHA-256 (hex) of a text's UTF-8 bytes, as PostgreSQL's ``sha256(convert_to(text, 'UTF8'))`` gives it.

    A save hashes the same megabytes of XML for its change log and for its content comparison: the last two
    texts are remembered.
    """
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def content_digest(text):
    """A short, stable fingerprint of a (possibly huge) text column."""
    if not text:
        return ''
    return format_digest(text_sha256(text), len(text.encode('utf-8')))


def format_digest(sha256_hex, size):
    return f'sha256:{sha256_hex[:16]} ({size} bytes)' if size else ''


class LargeFieldsQuerySet(RestrictedQuerySet):
    """Querysets of models with megabyte text columns (the model's ``large_fields``), which lists and most reads
    leave unloaded."""

    def defer_large(self, *, keep=(), related=()):
        """Defer the model's large columns except those named in ``keep``, and the large columns of the model
        reached through each relation named in ``related`` (one loaded with ``select_related()``)."""
        names = [name for name in self.model.large_fields if name not in keep]
        for relation in related:
            target = self.model._meta.get_field(relation).related_model
            names += [f'{relation}__{name}' for name in target.large_fields]
        return self.defer(*names) if names else self


class DigestSerializationMixin:
    """Change-log snapshots carry a digest of the XML, not megabytes of it; the SVG preview (derived data) is not
    logged. A copy read without its XML may carry the digest PostgreSQL computed (``stored_digests``)."""

    logged_large_fields = ('xml',)

    def serialize_object(self, exclude=None):
        exclude = list(exclude or [])
        # Django's serializer, which NetBox's runs before it drops the excluded fields, reads a placeholder: a
        # loaded column is not encoded as JSON for nothing, a deferred one is not loaded for the change log.
        loaded = {field: self.__dict__[field] for field in self.large_fields if field in self.__dict__}
        self.__dict__.update(dict.fromkeys(self.large_fields, ''))
        try:
            data = super().serialize_object(exclude=exclude + list(self.large_fields))
        finally:
            for field in self.large_fields:
                del self.__dict__[field]
            self.__dict__.update(loaded)
        stored = getattr(self, 'stored_digests', {})
        for field in self.logged_large_fields:
            if field in exclude:
                continue
            if field in loaded:
                data[field] = content_digest(loaded[field])
            elif field in stored:
                data[field] = stored[field]
        return data

    def clean_fields(self, exclude=None):
        # A deferred large column was not edited (the services write and check the content): not loaded to be
        # validated.
        exclude = {*(exclude or ()), *(field for field in self.large_fields if field in self.get_deferred_fields())}
        super().clean_fields(exclude=exclude)


class Diagram(DigestSerializationMixin, PrimaryModel):
    name = models.CharField(verbose_name=_('name'), max_length=100, db_collation='natural_sort')
    site = models.ForeignKey(
        to='dcim.Site',
        on_delete=models.SET_NULL,
        related_name='archiflow_diagrams',
        blank=True,
        null=True,
        verbose_name=_('site'),
    )
    status = models.CharField(
        verbose_name=_('status'),
        max_length=50,
        choices=DiagramStatusChoices,
        default=DiagramStatusChoices.STATUS_DRAFT,
    )
    xml = models.TextField(verbose_name=_('XML'), blank=True, help_text=_('Current Draw.io XML'))
    version = models.PositiveIntegerField(
        verbose_name=_('version'), default=0, editable=False, help_text=_('Current version number (0: empty)')
    )
    preview_svg = models.TextField(verbose_name=_('preview SVG'), blank=True, editable=False)
    metadata = models.JSONField(verbose_name=_('metadata'), default=dict, blank=True)
    created_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        editable=False,
        verbose_name=_('created by'),
    )
    updated_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        editable=False,
        verbose_name=_('updated by'),
    )

    objects = LargeFieldsQuerySet.as_manager()

    # Columns too large for lists, the change log or the search cache.
    large_fields = ('xml', 'preview_svg')
    clone_fields = ('site', 'status', 'description')

    class Meta:
        ordering = ('name', 'pk')
        verbose_name = _('diagram')
        verbose_name_plural = _('diagrams')

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:diagram', args=[self.pk])

    def get_status_color(self):
        return DiagramStatusChoices.colors.get(self.status)

    def save(self, *args, **kwargs):
        # Content (XML, version, preview) is written only by the diagram service under a row lock; an ordinary
        # save (edit form, API update of other fields) must not write back a stale copy of it.
        writing_content = getattr(self, '_writing_content', False)
        self._writing_content = False
        if self.pk and not self._state.adding and not writing_content and kwargs.get('update_fields') is None:
            kwargs['update_fields'] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in CONTENT_FIELDS and f.attname not in self.get_deferred_fields()
            ]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not isinstance(self.metadata, dict):
            raise ValidationError({'metadata': _('Metadata must be a JSON object.')})


class DiagramVersion(DigestSerializationMixin, ChangeLoggedModel):
    """One immutable state of a diagram. Only the rolling autosave version is ever rewritten."""

    diagram = models.ForeignKey(
        to=Diagram, on_delete=models.CASCADE, related_name='versions', verbose_name=_('diagram')
    )
    version_number = models.PositiveIntegerField(verbose_name=_('version'))
    xml = models.TextField(verbose_name=_('XML'), blank=True)
    preview_svg = models.TextField(
        verbose_name=_('preview SVG'),
        blank=True,
        editable=False,
        help_text=_("This version's picture, so a restore brings it back"),
    )
    change_summary = models.CharField(verbose_name=_('change summary'), max_length=200, blank=True)
    kind = models.CharField(
        verbose_name=_('kind'),
        max_length=20,
        choices=DiagramVersionKindChoices,
        default=DiagramVersionKindChoices.KIND_MANUAL,
    )
    author = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('author'),
    )

    objects = LargeFieldsQuerySet.as_manager()

    large_fields = ('xml', 'preview_svg')

    class Meta:
        ordering = ('diagram', '-version_number')
        constraints = (
            models.UniqueConstraint(
                fields=('diagram', 'version_number'), name='netbox_archiflow_diagramversion_unique_number'
            ),
        )
        verbose_name = _('diagram version')
        verbose_name_plural = _('diagram versions')

    def __str__(self):
        try:
            name = self.diagram.name
        except Diagram.DoesNotExist:  # e.g. a GraphQL row loaded without its diagram
            name = f'Diagram {self.diagram_id}' if self.diagram_id else 'Diagram'
        return f'{name} v{self.version_number}'

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:diagramversion', args=[self.pk])

    def get_kind_color(self):
        return DiagramVersionKindChoices.colors.get(self.kind)


class DiagramTemplate(DigestSerializationMixin, OrganizationalModel):
    category = models.CharField(verbose_name=_('category'), max_length=100, blank=True)
    xml = models.TextField(verbose_name=_('XML'), help_text=_('Draw.io XML with {{variable}} placeholders'))
    variables = models.JSONField(
        verbose_name=_('variables'),
        default=list,
        blank=True,
        help_text=_('A list of {"name", "default", "description"} objects'),
    )
    is_active = models.BooleanField(verbose_name=_('active'), default=True)

    objects = LargeFieldsQuerySet.as_manager()

    large_fields = ('xml',)

    class Meta:
        ordering = ('name',)
        verbose_name = _('diagram template')
        verbose_name_plural = _('diagram templates')

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:diagramtemplate', args=[self.pk])

    def clean(self):
        super().clean()
        try:
            validate_template_definition(self.xml, self.variables, plugin_settings.get('diagram_max_bytes'))
        except DrawioError as exc:
            raise ValidationError({exc.field or 'xml': exc.detail}) from exc


class DiagramLink(models.Model):
    """One cell of a diagram's current content linked to a NetBox object: the index behind the Diagrams tab.

    Derived data, rebuilt from the XML by the diagram service in the transaction that writes the content,
    hence not change-logged (the diagram's versions are). The object may no longer exist: such a link is
    kept and reported as broken.
    """

    diagram = models.ForeignKey(to=Diagram, on_delete=models.CASCADE, related_name='links', verbose_name=_('diagram'))
    page_id = models.CharField(verbose_name=_('page ID'), max_length=255, blank=True)
    page_name = models.CharField(verbose_name=_('page'), max_length=255, blank=True)
    cell_id = models.CharField(verbose_name=_('cell ID'), max_length=255)
    label = models.CharField(verbose_name=_('label'), max_length=255, blank=True)
    netbox_display = models.CharField(verbose_name=_('display'), max_length=255, blank=True)
    object_type = models.ForeignKey(
        to='contenttypes.ContentType', on_delete=models.CASCADE, related_name='+', verbose_name=_('object type')
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_('object ID'))
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')

    objects = LargeFieldsQuerySet.as_manager()

    large_fields = ()

    class Meta:
        ordering = ('diagram', 'page_name', 'label', 'cell_id')
        indexes = (models.Index(fields=('object_type', 'object_id'), name='netbox_archiflow_link_object'),)
        constraints = (
            models.UniqueConstraint(
                fields=('diagram', 'page_id', 'cell_id'), name='netbox_archiflow_diagramlink_unique_cell'
            ),
        )
        verbose_name = _('diagram link')
        verbose_name_plural = _('diagram links')

    def __str__(self):
        return f'{self.label or self.netbox_display or self.cell_id} → {self.object_key}'

    @property
    def object_key(self):
        """``app_label.model:id``, the form ``?highlight=`` takes."""
        object_type = ContentType.objects.get_for_id(self.object_type_id)
        return f'{object_type.app_label}.{object_type.model}:{self.object_id}'

    def get_absolute_url(self):
        """The diagram's viewer with this link's object highlighted."""
        url = reverse('plugins:netbox_archiflow:diagram_viewer', args=[self.diagram_id])
        return f'{url}?{urlencode({"object": self.object_key})}'
