"""Social-listening outage and complaint monitor."""

__version__ = "0.1.0"
