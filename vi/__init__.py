"""The `vi` facade: the import paths the public Vi docs use, backed by vi_ext."""
