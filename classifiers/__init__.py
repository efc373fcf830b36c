"""Mention classifiers: rules first, transformer models for the rest."""
