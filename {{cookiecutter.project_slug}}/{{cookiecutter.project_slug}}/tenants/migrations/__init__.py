"""Migrations of the tenants app."""
