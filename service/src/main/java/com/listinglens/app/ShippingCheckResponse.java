package com.listinglens.app;

import com.listinglens.suggest.ShippingCheck;
import com.listinglens.suggest.WeightClasses;

/** The JSON answer of {@code POST /v1/suggestions/{id}/shipping-check}: the seller's weight class against the suggestion's. */
public record ShippingCheckResponse(String suggestionId, WeightClasses.WeightClass chosen,
                                    WeightClasses.WeightClass recommended, Double confidence, int basedOn,
                                    boolean categoryMatched, String warning, String reason) {

    static ShippingCheckResponse of(String suggestionId, ShippingCheck.Result r) {
        return new ShippingCheckResponse(suggestionId, r.chosen(), r.recommended(), r.confidence(), r.basedOn(),
                r.categoryMatched(), r.warning(), r.reason());
    }
}
