"""A stateful, faker-backed mock server for any OpenAPI 3.0 spec, on Connexion 3."""

from mock_server.errors import MockServerError, SettingsError, SpecError
from mock_server.settings import Settings
from mock_server.web.app import create_app, load_apis

__all__ = ["MockServerError", "Settings", "SettingsError", "SpecError", "create_app", "load_apis"]
