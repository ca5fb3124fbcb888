from dcim.api.serializers import SiteSerializer
from netbox.api.fields import ChoiceField, ContentTypeField, RelatedObjectCountField
from netbox.api.gfk_fields import GFKSerializerField
from netbox.api.serializers import (
    BaseModelSerializer,
    OrganizationalModelSerializer,
    PrimaryModelSerializer,
)
from rest_framework import serializers
from users.api.serializers import UserSerializer

from netbox_archiflow.api.fields import object_url
from netbox_archiflow.api.mixins import ListedTagsMixin, ObjectURLsMixin, SafeReferencesMixin, SharedUserReferencesMixin
from netbox_archiflow.choices import DiagramStatusChoices, DiagramVersionKindChoices
from netbox_archiflow.models import Diagram, DiagramLink, DiagramTemplate, DiagramVersion
from netbox_archiflow.services import diagram_links
from netbox_archiflow.services import diagrams as service

__all__ = (
    'DiagramLinkSerializer',
    'DiagramGenerateSerializer',
    'DiagramPreviewSerializer',
    'DiagramRefreshSerializer',
    'DiagramRestoreSerializer',
    'DiagramSerializer',
    'DiagramTemplateInstantiateSerializer',
    'DiagramTemplateSerializer',
    'DiagramVersionSerializer',
)


class XMLField(serializers.CharField):
    """Text checked once, by the diagram service that stores it (size, well-formedness, links: a ServiceError → 413 or
    400 with its code and the cell), without DRF's per-character validators, which take most of a second on 5 MB."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = []


# Write-only inputs that go to the versioning service rather than to the model.
CONTENT_INPUT = ('xml', 'base_version', 'change_summary', 'autosave')


def _preview_url(diagram):
    return object_url('plugins:netbox_archiflow:diagram_preview', diagram.pk)


def _user(serializer):
    request = serializer.context.get('request')
    return getattr(request, 'user', None)


class DiagramSerializer(
    ObjectURLsMixin, ListedTagsMixin, SharedUserReferencesMixin, SafeReferencesMixin, PrimaryModelSerializer
):
    """Lists omit ``xml`` (the viewset defers the column); the detail, create and update carry it."""

    user_fields = ('created_by', 'updated_by')

    site = SiteSerializer(nested=True, required=False, allow_null=True)
    status = ChoiceField(choices=DiagramStatusChoices, required=False)
    xml = XMLField(required=False, allow_blank=True, trim_whitespace=False, style={'base_template': 'textarea.html'})
    base_version = serializers.IntegerField(
        write_only=True, required=False, min_value=0, help_text='The version the new XML was edited from (409 if stale)'
    )
    change_summary = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    autosave = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="Store the new XML as the rolling autosave version (rewritten by the same user's next autosave)",
    )
    version = serializers.IntegerField(read_only=True)
    created_by = UserSerializer(nested=True, read_only=True, allow_null=True)
    updated_by = UserSerializer(nested=True, read_only=True, allow_null=True)
    preview_url = serializers.SerializerMethodField(read_only=True)
    export_url = serializers.SerializerMethodField(read_only=True)
    link_count = RelatedObjectCountField('links')

    class Meta:
        model = Diagram
        fields = [
            'id', 'url', 'display_url', 'display', 'name', 'site', 'status', 'version', 'xml', 'base_version',
            'change_summary', 'autosave', 'description', 'metadata', 'link_count', 'preview_url', 'export_url',
            'created_by', 'updated_by',
            'owner', 'comments', 'tags', 'custom_fields', 'created', 'last_updated',
        ]  # fmt: skip
        brief_fields = ('id', 'url', 'display', 'name', 'status', 'version', 'description')

    def get_preview_url(self, obj):
        return _preview_url(obj)

    def get_export_url(self, obj):
        return object_url('plugins-api:netbox_archiflow-api:diagram-export', obj.pk)

    def validate_metadata(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('Metadata must be a JSON object.')
        return value

    def validate(self, data):
        # Content goes through the versioning service, not through the model's full_clean() copy.
        content = {key: data.pop(key) for key in CONTENT_INPUT if key in data}
        data = super().validate(data)
        data.update(content)
        return data

    def create(self, validated_data):
        xml = validated_data.pop('xml', '')
        summary = validated_data.pop('change_summary', '')
        validated_data.pop('base_version', None)
        validated_data.pop('autosave', None)
        user = _user(self)
        if user is not None and user.is_authenticated:
            validated_data['created_by'] = validated_data['updated_by'] = user
        if not xml:
            return super().create(validated_data)
        create = super().create
        result = service.create_with_content(
            xml, user, summary=summary or 'Created', insert=lambda content: create({**validated_data, **content})
        )
        return result.diagram

    def update(self, instance, validated_data):
        """With ``xml`` alone (the editor's save) only the service writes: an unchanged drawing writes nothing.

        ``self.save_result`` is the service's answer (None without ``xml``), for the response's ``modified``.
        """
        content = {key: validated_data.pop(key) for key in CONTENT_INPUT if key in validated_data}
        self.save_result = None
        if 'xml' not in content or validated_data.keys() - {'changelog_message'}:
            instance = super().update(instance, validated_data)
        if 'xml' in content:
            autosave = content.get('autosave', False)
            self.save_result = service.save_diagram(
                instance,
                content['xml'],
                _user(self),
                base_version=content.get('base_version'),
                kind=DiagramVersionKindChoices.KIND_AUTOSAVE if autosave else DiagramVersionKindChoices.KIND_MANUAL,
                summary=content.get('change_summary', ''),
            )
        return instance


class DiagramVersionSerializer(ObjectURLsMixin, SharedUserReferencesMixin, SafeReferencesMixin, BaseModelSerializer):
    """An immutable numbered version of a diagram's content (who, when, why)."""

    user_fields = ('author',)

    diagram = DiagramSerializer(nested=True, read_only=True)
    kind = ChoiceField(choices=DiagramVersionKindChoices, read_only=True)
    author = UserSerializer(nested=True, read_only=True, allow_null=True)

    class Meta:
        model = DiagramVersion
        fields = [
            'id', 'url', 'display_url', 'display', 'diagram', 'version_number', 'kind', 'change_summary', 'author',
            'xml', 'created',
        ]  # fmt: skip
        read_only_fields = fields
        brief_fields = ('id', 'url', 'display', 'version_number', 'kind')


class DiagramTemplateSerializer(ObjectURLsMixin, ListedTagsMixin, SafeReferencesMixin, OrganizationalModelSerializer):
    """A diagram template: Draw.io XML with declared ``{{variables}}``."""

    variables = serializers.JSONField(required=False)

    class Meta:
        model = DiagramTemplate
        fields = [
            'id', 'url', 'display_url', 'display', 'name', 'slug', 'category', 'description', 'xml', 'variables',
            'is_active', 'owner', 'comments', 'tags', 'custom_fields', 'created', 'last_updated',
        ]  # fmt: skip
        brief_fields = ('id', 'url', 'display', 'name', 'slug', 'category', 'description')

    def validate(self, data):
        xml = data.get('xml', getattr(self.instance, 'xml', ''))
        variables = data.get('variables', getattr(self.instance, 'variables', []))
        service.validate_template_definition(xml, variables if variables is not None else [])
        return super().validate(data)


class DiagramRestoreSerializer(serializers.Serializer):
    """Input of ``diagrams/{id}/restore/``: the version to restore, and the version it was seen at."""

    version = serializers.IntegerField(min_value=1)
    base_version = serializers.IntegerField(min_value=0, required=False)


class DiagramPreviewSerializer(serializers.Serializer):
    """Input of ``diagrams/{id}/preview/``: the editor's SVG export of a version; answers where the picture is."""

    svg = XMLField(write_only=True, trim_whitespace=False, help_text='An SVG document, sanitized before it is stored')
    version = serializers.IntegerField(
        min_value=0, required=False, help_text='The version the picture shows (409 when it is no longer current)'
    )
    preview_url = serializers.SerializerMethodField(read_only=True)

    def get_preview_url(self, obj) -> str:
        return _preview_url(obj)


class DiagramGenerateSerializer(serializers.Serializer):
    """Kind, scope and options are checked by the generator service, which names the bad field."""

    name = serializers.CharField(max_length=100)
    kind = serializers.CharField()
    scope_type = serializers.CharField()
    scope_id = serializers.JSONField(required=False, allow_null=True)
    options = serializers.JSONField(required=False, default=dict)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DiagramRefreshSerializer(serializers.Serializer):
    base_version = serializers.IntegerField(min_value=0, required=False)
    mark_removed = serializers.BooleanField(required=False, allow_null=True, default=None)


class DiagramTemplateInstantiateSerializer(serializers.Serializer):
    """Input of ``diagram-templates/{id}/instantiate/``: the new diagram's name and the variables' values."""

    name = serializers.CharField(max_length=100)
    variables = serializers.DictField(required=False, default=dict)
    site = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DiagramLinkSerializer(ObjectURLsMixin, BaseModelSerializer):
    """A linked cell. ``object`` is null when the object does not exist (``broken``) or is hidden from the user."""

    diagram = DiagramSerializer(nested=True, read_only=True)
    object_type = ContentTypeField(read_only=True)
    object = GFKSerializerField(source='linked_object', read_only=True, allow_missing_serializer=True)
    broken = serializers.BooleanField(read_only=True)

    class Meta:
        model = DiagramLink
        fields = [
            'id', 'url', 'display', 'diagram', 'page_id', 'page_name', 'cell_id', 'label', 'netbox_display',
            'object_type', 'object_id', 'object', 'broken',
        ]  # fmt: skip
        brief_fields = ('id', 'url', 'display', 'cell_id', 'label', 'object_type', 'object_id')

    def to_representation(self, instance):
        if not hasattr(instance, 'broken') and {'object', 'broken'} & set(self.fields):  # not resolved by the view
            diagram_links.resolve_objects([instance], _user(self))
        return super().to_representation(instance)
