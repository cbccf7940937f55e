/**
 * Catalog lines (JSONL listings) parsed and checked (CatalogReader, Listing). Reads files; knows nothing of models,
 * pools or HTTP.
 */
package com.listinglens.catalog;
