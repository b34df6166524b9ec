"""The versions a result names (README, « Versions »): cms-law's own, and its JSON format's.

Declared here once. The JSON format version follows the same policy as cms-law's: major when a
field is removed, renamed or changes type or meaning; minor when one is added; never a patch for
a change of what a field holds or means.
"""

__version__ = "0.1.0"
#: The version of the JSON format of results (``produit_par.format_json`` in each of them).
FORMAT_JSON = "1.0"
