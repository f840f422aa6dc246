"""The Swagger UI page under the strict CSP: its start-up script is a separate file (the split
view) and its one small inline <style> block is allowed by hash, not by 'unsafe-inline'.
tests/mash/test_security_sessions.py fails if an upgrade changes that block."""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView

SWAGGER_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"

api_docs = csp_update({"style-src": [SWAGGER_STYLE_HASH]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)
