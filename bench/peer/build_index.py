#!/usr/bin/python3
"""Builds the Python peer's index: the same catalog as the service's pool (grocery train.jsonl + iconic.jsonl, 2,721
listings), each photo embedded once at the 224 view (embedding.py), in a FAISS flat inner-product index.

The service builds its pool with the fp32 model (lens.build.precision=fp32) and queries it with int8 uploads; this
does the same by default (--precision). Unlike the service's pool there is no second view (320) and no projection
(LDA-80): the peer is the plain version.

Run from the repository root with Debian's python3 (bench/peer.sh runs it when the index is missing):
  /usr/bin/python3 bench/peer/build_index.py [--out target/peer] [--precision fp32] [--threads 1] [--batch 16]
Writes OUT/index.faiss, OUT/listings.jsonl (row i = listing i: id, title, category) and OUT/build.json.
"""
import argparse
import json
import os
import sys
import time

import faiss
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import embedding  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="target/peer")
    p.add_argument("--precision", default="fp32", choices=["fp32", "int8"])
    p.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared: default 1)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--catalogs", default="train.jsonl,iconic.jsonl")
    args = p.parse_args()

    dataset = os.path.join(embedding.shared_dir(), "datasets", "grocery")
    listings = []
    for name in args.catalogs.split(","):
        with open(os.path.join(dataset, name)) as f:
            listings += [json.loads(line) for line in f if line.strip()]
    model, description = embedding.load_model(args.precision, args.threads)
    print(f"build_index: {len(listings)} listings from {args.catalogs} in {dataset}; {description}", flush=True)

    rows = np.zeros((len(listings), 1280), dtype=np.float32)
    start = time.perf_counter()
    for at in range(0, len(listings), args.batch):
        chunk = listings[at:at + args.batch]
        batch = []
        for listing in chunk:
            with Image.open(os.path.join(dataset, listing["image"])) as image:
                batch.append(embedding.preprocess(image))
        rows[at:at + len(chunk)] = embedding.embed(model, batch)
        done = at + len(chunk)
        if done % (args.batch * 25) < args.batch or done == len(listings):
            elapsed = time.perf_counter() - start
            print(f"  {done}/{len(listings)} photos, {done / elapsed:.1f} photos/s", flush=True)
    elapsed = time.perf_counter() - start

    index = faiss.IndexFlatIP(rows.shape[1])
    index.add(rows)
    os.makedirs(args.out, exist_ok=True)
    faiss.write_index(index, os.path.join(args.out, "index.faiss"))
    with open(os.path.join(args.out, "listings.jsonl"), "w") as f:
        for listing in listings:
            f.write(json.dumps({"id": listing["id"], "title": listing.get("title"),
                                "category": listing.get("category")}) + "\n")
    with open(os.path.join(args.out, "build.json"), "w") as f:
        json.dump({"listings": len(listings), "catalogs": args.catalogs, "precision": args.precision,
                   "model": os.path.basename(embedding.model_path(args.precision)), "view": 224,
                   "index": "IndexFlatIP", "dimension": int(rows.shape[1]), "seconds": round(elapsed, 1)}, f, indent=1)
    print(f"build_index: {index.ntotal} rows of {index.d} in {args.out}/index.faiss, {elapsed:.1f} s "
          f"({len(listings) / elapsed:.1f} photos/s, {args.precision}, {args.threads} thread(s))", flush=True)


if __name__ == "__main__":
    main()
