"""vi_server: the offline reference server for the Vi asset API."""
