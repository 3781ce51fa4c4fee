"""Tests of {{ cookiecutter.project_name }}, against the real services of the settings."""
