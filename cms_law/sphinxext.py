"""The Sphinx extension's historical name, kept so that ``extensions = ["cms_law.sphinxext"]`` in a
``conf.py`` still works: the extension is :mod:`cms_law.docs`.
"""

from .docs import setup

__all__ = ["setup"]
