"""
Cosine or MSE for the GloVe mimick objective (issue "mini v2", part 2): which one teaches the
character CNN more GloVe?

For each loss, a fresh character CNN of the ``--config`` model (the shipped ``mini`` shape) and
a linear map are trained for ``--steps`` steps on batches of distinct words of the corpus
vocabulary that GloVe knows, exactly as the trainer's mimick pretraining does. Then, on
``--test-words`` held-out GloVe words that never appeared in a batch (frequent words first,
alphabetic only), the prediction of each word retrieves its own GloVe vector among all
held-out ones by cosine: retrieval accuracy @1 and @10, and the mean cosine to the truth.
Retrieval by cosine is fair to both losses (an MSE-trained map points the same way it is long).

    .venv/bin/python benchmarks/mimick_loss.py [--steps 300] [--threads 1]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "mini.json"))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--test-words", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    from elmo_core.char_cnn import CharCNN
    from elmo_core.chars import token_to_ids
    from elmo_core.datasets.glove import load_glove
    from elmo_core.training.config import TrainConfig
    from elmo_core.training.lm import mimick_loss

    config = TrainConfig.from_json(args.config)
    glove = load_glove()
    words = [w for w in glove.index if w.isalpha()][:60_000]  # GloVe rows are by frequency
    rng = np.random.default_rng(0)
    order = rng.permutation(len(words))
    test = [words[i] for i in order[: args.test_words]]
    train = [words[i] for i in order[args.test_words:]]
    chars = lambda ws: torch.from_numpy(np.stack([token_to_ids(w, 50) for w in ws]))  # noqa: E731
    train_chars, test_chars = chars(train), chars(test)
    train_vec = torch.from_numpy(glove.lookup(train)[0])
    test_vec = torch.from_numpy(glove.lookup(test)[0])
    results = {}
    for kind in ("cosine", "mse"):
        torch.manual_seed(config.seed)
        cnn = CharCNN(config.elmo_config().char_cnn, config.elmo_config().lstm.projection_dim)
        head = torch.nn.Linear(cnn.output_dim, glove.dim)
        optimizer = torch.optim.Adam([*cnn.parameters(), *head.parameters()], lr=config.learning_rate)
        generator = torch.Generator().manual_seed(config.seed)
        for _ in range(args.steps):
            pick = torch.randint(len(train), (args.batch,), generator=generator)
            loss = mimick_loss(head(cnn(train_chars[pick].unsqueeze(0))[0]), train_vec[pick], kind)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            predicted = torch.nn.functional.normalize(head(cnn(test_chars.unsqueeze(0))[0]), dim=-1)
            truth = torch.nn.functional.normalize(test_vec, dim=-1)
            similarity = predicted @ truth.T  # (n, n)
            rank = (similarity > similarity.diagonal().unsqueeze(1)).sum(dim=1)  # 0 = own vector first
        results[kind] = {"mean_cosine": round(float(similarity.diagonal().mean()), 4),
                         "retrieval_at_1": round(float((rank < 1).float().mean()), 4),
                         "retrieval_at_10": round(float((rank < 10).float().mean()), 4)}
        print(json.dumps({"loss": kind, "steps": args.steps, "test_words": len(test), **results[kind]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
