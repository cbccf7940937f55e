package com.listinglens.suggest;

/** How the category path is chosen from the neighbours. */
public enum CategoryVote {
    /** The whole path with the most vote: best top-1 on the deepest level. */
    LEAF,
    /** Level by level, the child with the most vote: best on the upper levels, may end on a rarer leaf. */
    TOP_DOWN
}
