"""The package version, in a module of its own so that the admin API and the CLI can read it
without importing the package root (whose lazy `MockServer` export sits above them)."""

__version__ = "0.1.0"
