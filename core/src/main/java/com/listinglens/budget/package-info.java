/**
 * Time budgets of a request (Deadline): what is left of it and the refusal when it has passed. Pure logic; no I/O, no
 * HTTP.
 */
package com.listinglens.budget;
