"""The criteria library: shared and network-owned procurement criteria, versioned in git."""
