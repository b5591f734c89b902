"""Strawberry types, inputs, enums, payloads and errors; schema.py composes them."""
