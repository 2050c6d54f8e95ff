"""Documents rendered from plain payloads: PDF layout and pages, email texts."""
