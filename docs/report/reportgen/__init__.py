"""Build the technical report and the deck from the project's own files and measured runs."""
