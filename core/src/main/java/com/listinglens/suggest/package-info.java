/**
 * Neighbours to a listing suggestion: votes, category path, brand, price band, weight class, shipping check. Pure
 * logic; no I/O, no HTTP.
 */
package com.listinglens.suggest;
