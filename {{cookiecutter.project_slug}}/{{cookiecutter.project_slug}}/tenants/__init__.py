"""Tenants: one PostgreSQL schema each, reached through one or more domains."""
