"""The one thing pyproject.toml cannot declare durably: the C engine of durable_rules.

durable_rules 2.0.28 is vendored in ``cms_law/_vendor/durable_rules`` (its README says why and
what changed) and built here as its own ``setup.py`` builds it: the same sources and the same
flags, as an extension module of cms_law under a private name.
"""

import sys

from setuptools import Extension, setup

SOURCES = "cms_law/_vendor/durable_rules/src"
FLAGS = ["-std=c99", "-D_GNU_SOURCE"] + (["-fcommon"] if sys.platform == "darwin" else [])

setup(
    ext_modules=[
        Extension(
            "cms_law._vendor.durable_rules.durable_rules_engine",
            sources=[f"{SOURCES}/rulespy/rules.c"]
            + [f"{SOURCES}/rules/{name}.c" for name in ("json", "rete", "state", "events", "regex")],
            include_dirs=[f"{SOURCES}/rules"],
            depends=[f"{SOURCES}/rules/{name}.h" for name in ("json", "regex", "rete", "rules", "state")],
            extra_compile_args=FLAGS,
        )
    ]
)
