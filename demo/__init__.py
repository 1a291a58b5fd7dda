"""Realistic, deterministic demo data for the Precog database (see demo/loader.py)."""
