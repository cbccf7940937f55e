package com.listinglens.vector;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes about file handling, not parallel speed: one OpenMP thread keeps them fast and
 * predictable on small, busy machines (libgomp spin-waits badly when oversubscribed); the default is
 * restored afterwards.
 */
final class SingleOmpThread implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        FaissIndex.setThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        FaissIndex.setThreads(0);
    }
}
