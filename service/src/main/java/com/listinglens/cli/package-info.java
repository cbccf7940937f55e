/**
 * The bin/lens tools (picocli): build, publish, evaluate, check, keygen. Call core; never the running service's
 * classes.
 */
package com.listinglens.cli;
