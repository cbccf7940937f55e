package com.listinglens.live;

import com.listinglens.catalog.Listing;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.Overlay;

import java.time.Instant;

/**
 * One live change of a tenant's listings, as kept in the change log: a listing added (with the embedding the
 * service computed from its photos and the embedding space it is in) or a listing removed. {@code id} is its
 * position in the log (null until appended).
 */
public record Change(ChangeId id, Op op, String listingId, Listing listing, float[] embedding, String space, Instant at) {

    public enum Op { ADD, REMOVE }

    public Change {
        if (op == null) {
            throw new IllegalArgumentException("a change needs an op");
        }
        if (op == Op.ADD) {
            if (listing == null || embedding == null || embedding.length == 0 || space == null || space.isBlank()) {
                throw new IllegalArgumentException("an addition needs a listing, its embedding and its space");
            }
            listingId = listing.id();
        } else if (listingId == null || listingId.isBlank()) {
            throw new IllegalArgumentException("a removal needs a listing id");
        }
        if (at == null) {
            throw new IllegalArgumentException("a change needs a time");
        }
    }

    public static Change add(Listing listing, float[] embedding, String space, Instant at) {
        return new Change(null, Op.ADD, listing.id(), listing, embedding, space, at);
    }

    public static Change remove(String listingId, Instant at) {
        return new Change(null, Op.REMOVE, listingId.strip(), null, null, null, at);
    }

    public Change withId(ChangeId newId) {
        return new Change(newId, op, listingId, listing, embedding, space, at);
    }

    /** The change as an overlay edit (the change must have its log id). */
    public Overlay.Edit toEdit() {
        if (id == null) {
            throw new IllegalStateException("change of " + listingId + " is not in the log yet");
        }
        return op == Op.ADD ? new Overlay.Add(id, listing, embedding) : new Overlay.Remove(id, listingId);
    }
}
