"""Letters of intent (avsiktsförklaringar): texts in git like specifications, signatures and the
audit log in the database."""
