"""Every GraphQL type the plugin exposes as a root query field has a GraphQLTestCase (NetBox's coverage audit)."""

import importlib
import pkgutil

from utilities.testing import APIViewTestCases


class GraphQLSchemaCoverageTest(APIViewTestCases.GraphQLSchemaCoverageTestCase):
    def get_schema_type_classes(self):
        """The plugin's types only: NetBox's own are audited by NetBox's suite."""
        types = super().get_schema_type_classes()
        return {type_class: model for type_class, model in types.items() if model._meta.app_label == 'netbox_archiflow'}

    def iter_test_module_names(self):
        """Every ``test_api_*`` module, where the GraphQLTestCase classes live."""
        package = importlib.import_module('netbox_archiflow.tests')
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith('test_api_'):
                yield f'{package.__name__}.{module.name}'
