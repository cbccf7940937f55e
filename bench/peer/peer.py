"""A plain Python peer of the service, for the benches: what a team would write instead of Listing Lens.

POST /v1/suggestions (multipart field "photo") -> PIL decode, resize 256 + centre crop 224, ImageNet normalisation,
the shared MobileNetV2 (int8 by default, embedding.py), L2-normalised, FAISS flat inner-product search (k = 15) over the
peer's index of the same catalog (build_index.py: train + iconic, fp32, one 224 view), answered as JSON: the majority
leaf category of the 15 neighbours (ties to the nearer neighbour), its vote count, the neighbours' ids and scores.
GET /q/health/ready answers 200 once the model and index are loaded (the path bench/service.sh probes, so a bench
given LENS_BENCH_URL of the peer uses it instead of starting the Java service).

Concurrency, chosen to be plain and to fit 2 cores: uvicorn with one worker process per core (PEER_WORKERS, default
the core count), each with torch.set_num_threads(1) (PEER_THREADS) and its own model and index (about 20 MB). The
handler is async and does the work inline, so each worker computes one photo at a time on its core: no thread pool
oversubscribing the cores, no batching across requests, no admission control (uvicorn accepts every connection and the
kernel spreads them over the workers; a queue builds up under overload, no 503). HTTP/1.1 by h11 (Debian's httptools
0.1.1 is older than uvicorn 0.17 accepts), event loop uvloop when installed. No draft (reduced-size) JPEG decoding,
no cache, no second view, no projection.

Run it with bench/peer.sh (installs the Debian packages, builds the index, starts and stops the peer), or by hand from
the repository root:
  /usr/bin/python3 -m uvicorn --app-dir bench/peer peer:app --port 8091 --workers 2 --http h11
Environment: PEER_INDEX_DIR (target/peer), PEER_K (15), PEER_THREADS (1), PEER_PRECISION (int8 | fp32),
PEER_QUANTIZED_ENGINE (qnnpack), LENS_SHARED_DIR (../shared).
"""
import io
import json
import os
import time
from collections import Counter

import faiss
import torch
from fastapi import FastAPI, File, HTTPException, UploadFile
from PIL import Image, UnidentifiedImageError

import embedding

INDEX_DIR = os.environ.get("PEER_INDEX_DIR", "target/peer")
K = int(os.environ.get("PEER_K", "15"))

torch.set_num_threads(int(os.environ.get("PEER_THREADS", "1")))
model, model_description = embedding.load_model()
index = faiss.read_index(os.path.join(INDEX_DIR, "index.faiss"))
with open(os.path.join(INDEX_DIR, "listings.jsonl")) as f:
    listings = [json.loads(line) for line in f]
if index.ntotal != len(listings):
    raise SystemExit(f"{INDEX_DIR}: {index.ntotal} index rows but {len(listings)} listings")
print(f"peer (pid {os.getpid()}): {model_description}; index of {index.ntotal} rows, k = {K}", flush=True)

app = FastAPI(title="Listing Lens Python peer")


@app.get("/q/health/ready")
async def ready():
    return {"status": "UP"}


@app.post("/v1/suggestions")
async def suggestions(photo: UploadFile = File(...)):
    data = await photo.read()
    t0 = time.perf_counter()
    try:
        image = Image.open(io.BytesIO(data))
        x = embedding.preprocess(image)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise HTTPException(status_code=400, detail=f"not a readable image: {e}")
    t1 = time.perf_counter()
    query = embedding.embed(model, [x])
    t2 = time.perf_counter()
    scores, rows = index.search(query, K)
    neighbours = [(listings[r], float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
    category, votes = Counter(tuple(n["category"]) for n, _ in neighbours).most_common(1)[0]
    t3 = time.perf_counter()
    return {
        "category": list(category),
        "votes": votes,
        "k": len(neighbours),
        "title": next(n["title"] for n, _ in neighbours if tuple(n["category"]) == category),
        "neighbours": [{"id": n["id"], "score": round(s, 4)} for n, s in neighbours],
        "timings": {"decodeMs": round((t1 - t0) * 1e3, 2), "embedMs": round((t2 - t1) * 1e3, 2),
                    "searchMs": round((t3 - t2) * 1e3, 2), "totalMs": round((t3 - t0) * 1e3, 2)},
    }
