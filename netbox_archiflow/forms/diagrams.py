from dcim.models import Site
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from netbox.context import current_request
from netbox.forms import (
    OrganizationalModelBulkEditForm,
    OrganizationalModelFilterSetForm,
    OrganizationalModelForm,
    OrganizationalModelImportForm,
    PrimaryModelBulkEditForm,
    PrimaryModelFilterSetForm,
    PrimaryModelForm,
    PrimaryModelImportForm,
)
from utilities.forms import add_blank_choice
from utilities.forms.fields import (
    CSVChoiceField,
    CSVModelChoiceField,
    DynamicModelChoiceField,
    DynamicModelMultipleChoiceField,
    JSONField,
    SlugField,
    TagFilterField,
)
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import BulkEditNullBooleanSelect

from netbox_archiflow.choices import DiagramStatusChoices
from netbox_archiflow.models import Diagram, DiagramTemplate
from netbox_archiflow.services import diagrams as service
from netbox_archiflow.services.errors import ServiceError

__all__ = (
    'DiagramBulkEditForm',
    'DiagramFileImportForm',
    'DiagramFilterForm',
    'DiagramForm',
    'DiagramFromTemplateForm',
    'DiagramImportForm',
    'DiagramTemplateBulkEditForm',
    'DiagramTemplateFilterForm',
    'DiagramTemplateForm',
    'DiagramTemplateImportForm',
    'MultipleFileField',
    'MultipleFileInput',
)

UPLOAD_ACCEPT = '.drawio,.xml,application/xml,text/xml'


def _request_user():
    request = current_request.get()
    return getattr(request, 'user', None)


def read_upload(upload, field):
    """The text of an uploaded .drawio/.xml file, refused beyond the size limit or when not UTF-8."""
    limit = service.max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {field: _('The file is {size} bytes; the limit is {limit} bytes.').format(size=upload.size, limit=limit)}
        )
    data = upload.read(limit + 1)
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        raise ValidationError({field: _('The file is not UTF-8 text: {error}').format(error=exc)}) from exc


def check_xml(xml, field):
    try:
        service.validate_diagram_xml(xml)
    except ServiceError as exc:
        raise ValidationError({field: exc.detail}) from exc


class DiagramContentMixin:
    """Takes new XML from a textarea or an uploaded file and saves it through the versioning service."""

    def clean(self):
        super().clean()
        upload = self.cleaned_data.get('xml_file')
        if upload:
            self.cleaned_data['xml'] = read_upload(upload, 'xml_file')
            check_xml(self.cleaned_data['xml'], 'xml_file')
        elif self.cleaned_data.get('xml'):
            check_xml(self.cleaned_data['xml'], 'xml')
        return self.cleaned_data

    def save(self, *args, **kwargs):
        user = _request_user()
        is_new = self.instance.pk is None
        if is_new and user is not None and user.is_authenticated:
            self.instance.created_by = self.instance.updated_by = user
        instance = super().save(*args, **kwargs)
        xml = self.cleaned_data.get('xml')
        if xml:
            try:
                service.save_diagram(
                    instance,
                    xml,
                    user,
                    summary=self.cleaned_data.get('change_summary') or ('Created' if is_new else 'Uploaded'),
                )
            except ServiceError as exc:  # checked in clean(); a race is still a clean form error
                raise ValidationError(exc.detail) from exc
        return instance


class DiagramForm(DiagramContentMixin, PrimaryModelForm):
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    xml = forms.CharField(
        label=_('XML'),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={'rows': 6, 'class': 'font-monospace'}),
        help_text=_('Paste Draw.io XML to store it as a new version (leave empty to keep the current content)'),
    )
    xml_file = forms.FileField(
        label=_('Draw.io file'),
        required=False,
        widget=forms.ClearableFileInput(attrs={'accept': UPLOAD_ACCEPT}),
        help_text=_('Upload a .drawio or .xml file (takes precedence over the XML field)'),
    )
    change_summary = forms.CharField(label=_('Change summary'), required=False, max_length=200)
    metadata = JSONField(label=_('Metadata'), required=False)

    fieldsets = (
        FieldSet('name', 'site', 'status', 'description', 'tags', name=_('Diagram')),
        FieldSet('xml_file', 'xml', 'change_summary', name=_('Content')),
        FieldSet('metadata', name=_('Metadata')),
    )

    class Meta:
        model = Diagram
        fields = ('name', 'site', 'status', 'description', 'metadata', 'owner', 'comments', 'tags')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields['xml'].help_text = _('Paste Draw.io XML as version 1 (leave empty for an empty diagram)')

    def clean_metadata(self):
        value = self.cleaned_data.get('metadata')
        if value in (None, ''):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_('Metadata must be a JSON object.'))
        return value


class DiagramImportForm(DiagramContentMixin, PrimaryModelImportForm):
    site = CSVModelChoiceField(
        label=_('Site'), queryset=Site.objects.all(), required=False, to_field_name='name', help_text=_('Site name')
    )
    status = CSVChoiceField(label=_('Status'), choices=DiagramStatusChoices, required=False)
    xml = forms.CharField(label=_('XML'), required=False, strip=False, help_text=_('Draw.io XML'))
    change_summary = forms.CharField(required=False, max_length=200)

    class Meta:
        model = Diagram
        fields = ('name', 'site', 'status', 'description', 'metadata', 'owner', 'comments', 'tags')

    def clean_status(self):
        return self.cleaned_data.get('status') or DiagramStatusChoices.STATUS_DRAFT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleans to a list. Each file's own errors are prefixed with its name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('widget', MultipleFileInput(attrs={'multiple': True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            # Nothing chosen: the usual "required" error (or an empty list when optional).
            return [] if not self.required else [super().clean(None, initial)]
        uploads = data if isinstance(data, list | tuple) else [data]
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as exc:
                name = getattr(upload, 'name', '')
                errors.extend(f'{name}: {message}' if name else message for message in exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def diagram_name_for(filename):
    """The diagram name for an uploaded file: its name without the .drawio / .xml extension."""
    name = (filename or '').replace('\\', '/').rsplit('/', 1)[-1].strip()
    for suffix in ('.drawio', '.xml'):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name


class DiagramFileImportForm(forms.Form):
    """Several .drawio / .xml files, one new diagram each (named after the file), with a common site and status."""

    files = MultipleFileField(
        label=_('Draw.io files'),
        widget=MultipleFileInput(attrs={'multiple': True, 'accept': UPLOAD_ACCEPT}),
        help_text=_('One diagram per file, named after the file without its extension'),
    )
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    status = forms.ChoiceField(
        label=_('Status'), choices=DiagramStatusChoices, required=False, initial=DiagramStatusChoices.STATUS_DRAFT
    )
    change_summary = forms.CharField(
        label=_('Change summary'),
        required=False,
        max_length=200,
        help_text=_('Summary of version 1 of every diagram (default: "Imported from" and the file name)'),
    )

    fieldsets = (FieldSet('files', 'site', 'status', 'change_summary', name=_('Import .drawio files')),)

    def clean_status(self):
        return self.cleaned_data.get('status') or DiagramStatusChoices.STATUS_DRAFT

    def clean_files(self):
        """Read and check every file; all problems are reported at once, each naming its file."""
        uploads = self.cleaned_data.get('files') or []
        max_length = Diagram._meta.get_field('name').max_length
        documents, errors, seen = [], [], {}
        for upload in uploads:
            filename = upload.name
            name = diagram_name_for(filename)
            try:
                if not name:
                    raise ValidationError(_('the file name gives no diagram name.'))
                if len(name) > max_length:
                    raise ValidationError(
                        _('the diagram name would be longer than {n} characters.').format(n=max_length)
                    )
                if name in seen:
                    raise ValidationError(
                        _('gives the diagram name {name!r}, as does {other}.').format(name=name, other=seen[name])
                    )
                seen[name] = filename
                xml = read_upload(upload, 'files')
                check_xml(xml, 'files')
            except ValidationError as exc:
                errors.extend(f'{filename}: {message}' for message in exc.messages)
                continue
            documents.append({'filename': filename, 'name': name, 'xml': xml})
        if errors:
            raise ValidationError(errors)
        return documents


class DiagramBulkEditForm(PrimaryModelBulkEditForm):
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    status = forms.ChoiceField(
        label=_('Status'), choices=add_blank_choice(DiagramStatusChoices), required=False, initial=''
    )

    model = Diagram
    fieldsets = (FieldSet('site', 'status', 'description'),)
    nullable_fields = ('site', 'description', 'comments')


class DiagramFilterForm(PrimaryModelFilterSetForm):
    model = Diagram
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('status', 'site_id', name=_('Diagram')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    status = forms.MultipleChoiceField(label=_('Status'), choices=DiagramStatusChoices, required=False)
    site_id = DynamicModelMultipleChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    tag = TagFilterField(model)


class DiagramTemplateForm(OrganizationalModelForm):
    slug = SlugField()
    xml = forms.CharField(
        label=_('XML'),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={'rows': 8, 'class': 'font-monospace'}),
        help_text=_('Draw.io XML with {{name}} or ${name} placeholders'),
    )
    xml_file = forms.FileField(
        label=_('Draw.io file'),
        required=False,
        widget=forms.ClearableFileInput(attrs={'accept': UPLOAD_ACCEPT}),
        help_text=_('Upload a .drawio or .xml file instead of pasting XML'),
    )
    variables = JSONField(
        label=_('Variables'),
        required=False,
        help_text=_('[{"name": "site", "default": "ams1", "description": "Site code"}, ...]'),
    )

    fieldsets = (
        FieldSet('name', 'slug', 'category', 'description', 'is_active', 'tags', name=_('Template')),
        FieldSet('xml_file', 'xml', 'variables', name=_('Content')),
    )

    class Meta:
        model = DiagramTemplate
        fields = (
            'name',
            'slug',
            'category',
            'description',
            'xml',
            'variables',
            'is_active',
            'owner',
            'comments',
            'tags',
        )

    def clean(self):
        upload = self.cleaned_data.get('xml_file')
        if upload:
            self.cleaned_data['xml'] = read_upload(upload, 'xml_file')
            self.instance.xml = self.cleaned_data['xml']
        if not self.cleaned_data.get('xml'):
            raise ValidationError({'xml': _('Paste XML or upload a file.')})
        if self.cleaned_data.get('variables') is None:
            self.cleaned_data['variables'] = []
        return super().clean()


class DiagramTemplateImportForm(OrganizationalModelImportForm):
    slug = SlugField()

    class Meta:
        model = DiagramTemplate
        fields = (
            'name',
            'slug',
            'category',
            'description',
            'xml',
            'variables',
            'is_active',
            'owner',
            'comments',
            'tags',
        )


class DiagramTemplateBulkEditForm(OrganizationalModelBulkEditForm):
    category = forms.CharField(label=_('Category'), max_length=100, required=False)
    is_active = forms.NullBooleanField(label=_('Active'), required=False, widget=BulkEditNullBooleanSelect)

    model = DiagramTemplate
    fieldsets = (FieldSet('category', 'is_active', 'description'),)
    nullable_fields = ('category', 'description', 'comments')


class DiagramTemplateFilterForm(OrganizationalModelFilterSetForm):
    model = DiagramTemplate
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('category', 'is_active', name=_('Template')),
    )
    category = forms.CharField(label=_('Category'), required=False)
    is_active = forms.NullBooleanField(
        label=_('Active'),
        required=False,
        widget=forms.Select(choices=[('', '---------'), ('true', _('Yes')), ('false', _('No'))]),
    )
    tag = TagFilterField(model)


# Template variables the form can fill from the chosen NetBox site when they are left empty.
SITE_VARIABLES = {
    'site': lambda site: site.name,
    'site_name': lambda site: site.name,
    'site_slug': lambda site: site.slug,
    'site_id': lambda site: str(site.pk),
}


class DiagramFromTemplateForm(forms.Form):
    """Pick a template, name the diagram and fill the template's variables (one field each).

    Variables named after the site (``SITE_VARIABLES``) may be left empty: they take the chosen site's value.
    """

    template = forms.ModelChoiceField(label=_('Template'), queryset=DiagramTemplate.objects.none())
    name = forms.CharField(label=_('Name'), max_length=100)
    site = forms.ModelChoiceField(label=_('Site'), queryset=Site.objects.none(), required=False)
    description = forms.CharField(label=_('Description'), max_length=200, required=False)

    def __init__(self, *args, user=None, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields['template'].queryset = DiagramTemplate.objects.restrict(user, 'view').filter(is_active=True)
        self.fields['site'].queryset = Site.objects.restrict(user, 'view')
        self.template = template
        self.variable_names = []
        for item in (template.variables if template else None) or []:
            name = f'var_{item["name"]}'
            self.variable_names.append(item['name'])
            default = item.get('default')
            help_text = item.get('description', '')
            if item['name'] in SITE_VARIABLES:
                help_text = f'{help_text} ({_("empty: taken from the chosen site")})'.strip()
            self.fields[name] = forms.CharField(
                label=item['name'],
                required=default in (None, '') and item['name'] not in SITE_VARIABLES,
                initial=default,
                help_text=help_text,
            )

    def clean(self):
        super().clean()
        site = self.cleaned_data.get('site')
        for name in self.variable_names:
            field = f'var_{name}'
            if name not in SITE_VARIABLES or self.cleaned_data.get(field) not in (None, ''):
                continue
            if site is not None:
                self.cleaned_data[field] = SITE_VARIABLES[name](site)
            elif not self.fields[field].initial:
                self.add_error(field, _('Fill this in or choose a site.'))
        return self.cleaned_data

    def variables(self):
        return {
            name: self.cleaned_data[f'var_{name}']
            for name in self.variable_names
            if self.cleaned_data.get(f'var_{name}') not in (None, '')
        }
