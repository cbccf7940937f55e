/**
 * The workshop's load clients and measuring programs, run by the {@code bench/*.sh} scripts with the JVM options of
 * {@code bench/jvm.options}: the raw model's throughput on every inference path, pool scale, filtered search, decode
 * margins and Redis memory. They call the core's public API, or the service over HTTP; nothing in {@code core},
 * {@code service} or {@code spark} depends on them.
 */
package com.listinglens.bench;
