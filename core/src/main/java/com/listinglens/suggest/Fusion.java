package com.listinglens.suggest;

/** How several photos of one item become one suggestion. */
public enum Fusion {
    /** Each photo is searched; the neighbour lists are merged, each listing keeping its best similarity. */
    MERGE,
    /** The photos' embeddings are averaged (and re-normalised) into one query. */
    MEAN
}
