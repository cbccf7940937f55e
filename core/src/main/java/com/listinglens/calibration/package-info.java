/**
 * Confidence calibration (Platt maps per field, fitted and applied). Pure logic; no I/O.
 */
package com.listinglens.calibration;
