"""The bad-input corpus: damaged files made from the package's samples (see make_corpus)."""
