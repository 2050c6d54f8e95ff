"""Workflow definitions; the worker registers those listed in workflows.registry.

This package imports nothing on purpose: the sandbox runs a workflow's module afresh for each
new workflow, and every import here would run again with it.
"""
