"""`vi.api.resources.datasets`."""
