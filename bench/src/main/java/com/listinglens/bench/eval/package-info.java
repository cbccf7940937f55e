/**
 * Experiments that chose suggestion-quality defaults ({@code bench/projection.sh}, {@code bench/duplicates.sh}): they
 * run the service's own decoding, views, model and vote on val and tally outcomes with the core's
 * {@link com.listinglens.eval.Scorecard}. Their findings live in {@code docs/quality.md}; the defaults they chose
 * live in the configuration, never here.
 */
package com.listinglens.bench.eval;
