/**
 * The Spark pool builder: catalogs parsed and photos embedded on the executors, shards encoded there, merged and
 * published with the core's pool-building steps. The bench module's {@code SparkBench} (bench/spark) joins this package
 * to time the job through its package-private command line and result; nothing here depends on it.
 */
package com.listinglens.spark;
