"""`vi.api`: documented API types."""
