"""``/api/schema/`` is NetBox's whole OpenAPI document: the plugin must not break it, and must describe itself truly."""

from openapi_spec_validator import validate
from utilities.testing import APITestCase

PREFIX = '/api/plugins/archiflow/'


class SchemaTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.schema = None

    def get_schema(self):
        if SchemaTest.schema is None:
            response = self.client.get('/api/schema/?format=json', **self.header)
            self.assertEqual(response.status_code, 200, response.content[:2000])
            SchemaTest.schema = response.json()
        return SchemaTest.schema

    def test_schema_is_valid_openapi_with_the_plugin_paths(self):
        schema = self.get_schema()
        validate(schema)
        paths = {path for path in schema['paths'] if path.startswith(PREFIX)}
        for path in ('segments/', 'segments/allocate/', 'ip-pools/{id}/allocate/', 'alerts/', 'diagrams/', 'rpc/'):
            self.assertIn(PREFIX + path, paths)

    def test_rpc_has_request_and_response_bodies(self):
        operation = self.get_schema()['paths'][PREFIX + 'rpc/']['post']
        self.assertIn('application/json', operation['requestBody']['content'])
        self.assertIn('application/json', operation['responses']['200']['content'])
