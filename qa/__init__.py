"""Question in, answer out: retrieval, answer extraction, citations, abstention."""
