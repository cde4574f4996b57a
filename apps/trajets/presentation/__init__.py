"""What the trajets pages show, built from models, reports and query strings: plain
functions without request objects, one module per page family."""
