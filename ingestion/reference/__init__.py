"""Reference data the project builds itself: regions with aliases, phone number plans, and the
place-name normalisation that both Python and dbt apply (see normalise.py)."""
