/**
 * The Spark pool builder: catalogs parsed and photos embedded on the executors, shards encoded there, merged and
 * published with the core's pool-building steps.
 */
package com.listinglens.spark;
