/**
 * The FAISS binding (FaissIndex over JNI): every argument validated in Java before it reaches C++, errors translated
 * in one place. Knows nothing of listings.
 */
package com.listinglens.vector;
