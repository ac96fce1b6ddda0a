"""Full-text search over criteria, specifications, planned needs and letters of intent (Whoosh)."""
