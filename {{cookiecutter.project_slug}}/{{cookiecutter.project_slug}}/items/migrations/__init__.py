"""Migrations of the items app."""
