"""The examples of the README. This folder ships inside the package as ``cms_law.examples``:
the web service (``cms-law serve``) shows them in its OpenAPI document and on its page."""
