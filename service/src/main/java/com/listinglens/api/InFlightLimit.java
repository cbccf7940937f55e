package com.listinglens.api;

import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code limit} requests of one kind at once, counted on the router before their bodies are read, from when
 * they are let in until their responses end (0 or less: no limit, nothing counted). Used by {@link Admission} for photo
 * requests and {@link AdminGate} for admin ones.
 */
final class InFlightLimit {

    private final int limit;
    private final AtomicInteger current = new AtomicInteger();

    InFlightLimit(int limit) {
        this.limit = limit;
    }

    /** Counts the request in until its response ends; false, with nothing counted, when {@code limit} are in already. */
    boolean enter(RoutingContext rc) {
        if (limit <= 0) {
            return true;
        }
        if (current.incrementAndGet() > limit) {
            current.decrementAndGet();
            return false;
        }
        rc.addEndHandler(done -> current.decrementAndGet());
        return true;
    }

    int limit() {
        return limit;
    }

    /** Requests counted in now. */
    int current() {
        return current.get();
    }
}
