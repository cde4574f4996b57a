"""One extractor per format, each streaming normalised records; the registry of formats
(:mod:`apps.trajets.etl.formats`) says which reads what and calls them through one
interface, ``extract(fmt, path, options)``."""
