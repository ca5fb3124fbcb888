from django.core.management.base import BaseCommand
from django.db import transaction

from netbox_archiflow.demo import LOADERS
from netbox_archiflow.management.changelog import change_logged, command_user


class Command(BaseCommand):
    help = 'Load ArchiFlow demo data (site groups, VRFs, devices, cables and plugin objects). Idempotent.'

    def add_arguments(self, parser):
        parser.add_argument('--user', help='Attribute the changes to this user (default: the first superuser)')

    def handle(self, *args, **options):
        user = command_user(options['user'])
        with change_logged(user), transaction.atomic():
            for loader in LOADERS:
                created = loader()
                self.stdout.write(f'{loader.__module__.rsplit(".", 1)[-1]}: {created} objects created')
