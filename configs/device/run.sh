#!/bin/bash
# The lent-GPU pretraining call, run from the repo root with the staged data in .gpu/ (carried):
#   .gpu/train.txt.xz, heldout.txt, vocab.txt (corpus v2), glove_vectors_f16.npy + glove_index.parquet
#   (GloVe 6B 50d rows of the corpus words seen at least 3 times): `python configs/device/stage.py`.
# Writes $OUT/train.log, history.json and the optimizer-free checkpoint in 15 MB pieces; join them
# here (cat model_only.pt.part* > model_only.pt) and `elmo-explorer export` it.
# A call carries at most 64 MiB (tracked files + carried paths): for the 2026-11-30 run the shipped
# model and head files were taken out of git's index for the call (git rm --cached, then git reset).
set -u
export PYTHONUNBUFFERED=1 ELMO_EXPLORER_CACHE=/tmp/cache TQDM_MININTERVAL=60 PYTHONPATH=$PWD
glove=/tmp/cache/vectors/glove-6b-50d
mkdir -p /tmp/corpus $glove /tmp/out
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 -c "import torch, sys; print('torch', torch.__version__, 'python', sys.version.split()[0])"
python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('.gpu/train.txt.xz'), open('/tmp/corpus/train.txt', 'wb'), 1 << 24)"
cp .gpu/heldout.txt .gpu/vocab.txt /tmp/corpus/
cp .gpu/glove_index.parquet $glove/index.parquet
python3 -c "import numpy as np; np.save('$glove/vectors.npy', np.load('.gpu/glove_vectors_f16.npy').astype('float32'))"
wc -l /tmp/corpus/train.txt
python3 configs/device/train_on_gpu.py ${CONFIG:-configs/device/mini-gpu.json} --out /tmp/out 2>&1 | tr "\r" "\n" | grep --line-buffered -v -E "^(pretraining|GloVe mimick):" | tee $OUT/train.log
cp /tmp/out/history.json $OUT/ && (cd /tmp/out && split -b 15M -d model_only.pt $OUT/model_only.pt.part)
ls -la $OUT
