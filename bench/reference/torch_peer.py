#!/usr/bin/env python3
"""PyTorch peer for Graft's extraction bench: torchvision InceptionV3 / MobileNetV2 throughput.

Prints one JSON line:
  {"torch": "...", "torchvision": "...", "threads": 2, "batch": 8, "models": {
     "inception_v3": {"input_size": 299, "bare_img_per_s": ..., "end_to_end_img_per_s": ..., "end_to_end_images": 96}, ...}}

Protocol: random weights (throughput does not depend on them), model.eval(), torch.inference_mode(),
torch.set_num_threads(threads). Bare: one warm-up batch, then `repeats` timed batches of `batch`
preprocessed tensors; the best is kept. End to end: the first `images` image files of the folder
(recursively, sorted by path) read with PIL (open, convert RGB, bilinear resize to the input size),
normalised, in batches of `batch`, decode included in the timing; one warm-up batch first, best of
`e2e_repeats` passes. The full networks are timed, classifier included: for InceptionV3 Graft's
`inception_v3` stops at the pooled 2048-d features, the fc layer after it is negligible (2048x1000).

  /usr/bin/python3 bench/reference/torch_peer.py --models inception_v3,mobilenet_v2 --images 96 <folder>
"""
import argparse
import json
import os
import sys
import time

import torch
import torchvision
from PIL import Image

IMAGE_EXTENSIONS = {'.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif', '.tif', '.tiff'}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


def build(name):
    """The torchvision model and its input side."""
    if name == 'inception_v3':
        return torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False), 299
    if name == 'mobilenet_v2':
        return torchvision.models.mobilenet_v2(weights=None), 224
    raise SystemExit(f'unknown model {name} (inception_v3, mobilenet_v2)')


def image_files(folder, count):
    """The first `count` image files below `folder`, by sorted relative path (hidden entries skipped)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith('.')]
        found += [os.path.join(root, f) for f in files if not f.startswith('.') and os.path.splitext(f)[1].lower() in IMAGE_EXTENSIONS]
    found.sort(key=lambda path: os.path.relpath(path, folder))
    return found[:count]


def load(path, size):
    """PIL decode, RGB, bilinear resize, normalised CHW float tensor."""
    with Image.open(path) as image:
        rgb = image.convert('RGB').resize((size, size), Image.BILINEAR)
    pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8).view(size, size, 3)
    return (pixels.permute(2, 0, 1).float().div_(255) - MEAN) / STD


def bare_rate(model, size, batch, repeats):
    inputs = torch.rand(batch, 3, size, size)
    model(inputs)
    best = float('inf')
    for _ in range(repeats):
        started = time.perf_counter()
        model(inputs)
        best = min(best, time.perf_counter() - started)
    return batch / best


def end_to_end_rate(model, size, batch, files, repeats):
    model(torch.stack([load(path, size) for path in files[:batch]]))
    best = float('inf')
    for _ in range(repeats):
        started = time.perf_counter()
        for start in range(0, len(files), batch):
            model(torch.stack([load(path, size) for path in files[start:start + batch]]))
        best = min(best, time.perf_counter() - started)
    return len(files) / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('folder', help='image folder (searched recursively)')
    parser.add_argument('--models', default='inception_v3,mobilenet_v2')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=6, help='timed batches for the bare rate (best kept)')
    parser.add_argument('--images', type=int, default=96, help='image files for the end-to-end rate')
    parser.add_argument('--e2e-repeats', type=int, default=1, help='end-to-end passes (best kept)')
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    files = image_files(args.folder, args.images)
    if not files:
        raise SystemExit(f'no image files in {args.folder}')
    models = {}
    with torch.inference_mode():
        for name in args.models.split(','):
            model, size = build(name)
            model.eval()
            bare = bare_rate(model, size, args.batch, args.repeats)
            e2e = end_to_end_rate(model, size, args.batch, files, args.e2e_repeats)
            models[name] = {'input_size': size, 'bare_img_per_s': round(bare, 2), 'end_to_end_img_per_s': round(e2e, 2), 'end_to_end_images': len(files)}
            print(f'torch peer: {name} bare {bare:.1f} img/s, end to end {e2e:.1f} img/s ({len(files)} files)', file=sys.stderr)
    print(json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': torch.get_num_threads(), 'batch': args.batch, 'models': models}))


if __name__ == '__main__':
    main()
