"""Rebuild the index of diagram links from each diagram's current XML (after an upgrade or a settings change)."""

from django.core.management.base import BaseCommand, CommandError

from netbox_archiflow.models import Diagram, DiagramLink
from netbox_archiflow.services import diagram_links


class Command(BaseCommand):
    help = (
        "Rebuild the index of cells linked to NetBox objects from every diagram's current XML; diagrams whose "
        'links are refused today (malformed, or a type no longer linkable) are listed and keep their index.'
    )

    def add_arguments(self, parser):
        parser.add_argument('diagram_ids', nargs='*', type=int, help='only these diagrams (IDs)')

    def handle(self, *args, diagram_ids=(), **options):
        diagrams = Diagram.objects.all()
        if diagram_ids:
            diagrams = diagrams.filter(pk__in=diagram_ids)
        refused = diagram_links.reindex(diagrams)
        for diagram, error in refused:
            self.stderr.write(f'{diagram.name} (#{diagram.pk}): {error.detail}')
        self.stdout.write(f'{diagrams.count() - len(refused)} diagrams indexed, {DiagramLink.objects.count()} links.')
        if refused:
            raise CommandError(f'{len(refused)} diagrams have links that are refused; fix them in the editor.')
