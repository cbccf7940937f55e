/**
 * Offline evaluation of suggestions on held-out uploads (Scorecard, Calibrator, cross-fitting), the outcomes of a run
 * kept for later (EvaluationResults) and the report drawn from them (Reliability, Confusions, ReportFigures). Tools
 * only; never on the request path. Only CalibrationStep reads files: the rest computes in memory, and the command line
 * reads and writes results and figures.
 */
package com.listinglens.eval;
