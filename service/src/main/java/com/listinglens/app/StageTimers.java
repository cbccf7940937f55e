package com.listinglens.app;

import com.listinglens.pipeline.SuggestPipeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The stage timers of the API, defined and recorded here only: {@code lens.suggest.stage{stage}} for each suggestion
 * computed (not one answered from the cache), by {@link SuggestionService}, and {@code lens.search.pool} for each
 * search page ranked, by {@link SearchService}. Registered at start-up, so the metrics show them before the first
 * request.
 */
@Singleton
@Startup
public final class StageTimers {

    /** The stages of a suggestion, as tagged. */
    static final List<String> SUGGEST_STAGES = List.of("decode", "embed", "search", "aggregate", "total");

    private final Map<String, Timer> suggest = new LinkedHashMap<>();
    private final Timer searchPool;

    public StageTimers(MeterRegistry registry) {
        for (String stage : SUGGEST_STAGES) {
            suggest.put(stage, Timer.builder("lens.suggest.stage").tag("stage", stage)
                    .description("time per stage of POST /v1/suggestions").publishPercentiles(0.5, 0.95, 0.99)
                    .publishPercentileHistogram()
                    .register(registry));
        }
        this.searchPool = Timer.builder("lens.search.pool").description("time to rank one search page in the pool, filters included")
                .publishPercentiles(0.5, 0.95, 0.99).publishPercentileHistogram().register(registry);
    }

    /** The stages of one suggestion the pipeline computed. */
    void suggestion(SuggestPipeline.Timings t) {
        record(suggest.get("decode"), t.decodeMs());
        record(suggest.get("embed"), t.embedMs());
        record(suggest.get("search"), t.searchMs());
        record(suggest.get("aggregate"), t.aggregateMs());
        record(suggest.get("total"), t.totalMs());
    }

    /** Ranking one search page in the pool. */
    void searchPage(double ms) {
        record(searchPool, ms);
    }

    private static void record(Timer timer, double ms) {
        timer.record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
    }
}
