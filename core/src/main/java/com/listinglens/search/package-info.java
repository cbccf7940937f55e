/**
 * Image search paging: cursors, page windows, image URLs. Pure logic; no I/O.
 */
package com.listinglens.search;
