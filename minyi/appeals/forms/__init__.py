"""Forms of the appeal pages, one module per audience (public, staff, intake)."""
