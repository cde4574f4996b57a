"""Extract, harmonise and load European rail open data (plain Python up to the loader)."""
