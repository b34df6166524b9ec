"""The law, as data. This folder ships inside the package as ``cms_law.rules``; see README.md."""
