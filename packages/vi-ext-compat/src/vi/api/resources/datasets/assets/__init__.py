"""`vi.api.resources.datasets.assets`."""
