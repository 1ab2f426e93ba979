"""Reports in French: the commune report and the national study, as HTML and PDF."""
