/**
 * Learned projections of embeddings (LDA, PCA): fitting and applying. Pure numeric logic; no I/O.
 */
package com.listinglens.projection;
