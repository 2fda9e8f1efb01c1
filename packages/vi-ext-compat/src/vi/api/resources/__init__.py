"""`vi.api.resources`."""
