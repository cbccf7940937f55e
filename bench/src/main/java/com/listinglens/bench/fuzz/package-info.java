/**
 * {@code bench/fuzz.sh}'s long coverage-guided runs, through the core test support's fuzz targets and
 * {@code Fuzzer}: the same targets the suite's {@code FuzzTest} runs briefly. No target lives here.
 */
package com.listinglens.bench.fuzz;
