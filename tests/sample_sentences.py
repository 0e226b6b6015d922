"""Sentences shared by the inference tests: ordinary English of different lengths."""

ENGLISH = [
    "I saw a saw .".split(),
    "The bank of the river was steep and muddy after the long rain .".split(),
    "She deposited the money at the bank .".split(),
    "Yes .".split(),
    "Colourless green ideas sleep furiously , said the linguist to nobody in particular .".split(),
]
