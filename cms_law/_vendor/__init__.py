"""Third-party code shipped inside cms-law, each under its own licence, with a README of its source and changes."""
