/**
 * Offline evaluation of suggestions on held-out uploads (Scorecard, Calibrator, cross-fitting). Tools only; never on
 * the request path.
 */
package com.listinglens.eval;
