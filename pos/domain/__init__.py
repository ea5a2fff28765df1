"""Plain-Python business rules: no Flask, no database session."""
