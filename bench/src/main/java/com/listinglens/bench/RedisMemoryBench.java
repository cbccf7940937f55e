package com.listinglens.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.listinglens.cache.CacheKeys;
import com.listinglens.cache.RedisSettings;
import com.listinglens.cache.RedisStore;
import com.listinglens.cache.SizeCap;
import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.catalog.Listing;
import com.listinglens.live.Change;
import com.listinglens.live.ChangeCodec;
import com.listinglens.live.ChangeLog;
import com.listinglens.live.RedisChangeLog;
import com.listinglens.pool.ChangeId;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.ShippingCheck;
import com.listinglens.suggest.WeightClasses;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A day of Listing Lens's Redis traffic, compressed in time, against a Redis with maxmemory and volatile-ttl (issue 27).
 * <p>
 * Requests at RATE a second (simulated): 80 % suggestions (answer cache GET, on a miss SET with lens.redis.answer-ttl;
 * a session SET with lens.redis.session-ttl, bounded by lens.redis.session-max-bytes; half of them read back later by
 * a shipping check), 20 % image searches (a cursor SET with lens.search.cursor-ttl, a third paged later); 10 % of
 * suggestions re-upload a photo of the last hour. Keys and values go through the service's own classes (CacheKeys,
 * RedisStore, SizeCap, and the core records the answers and sessions hold; the answer, session and cursor JSON are
 * stand-ins with the service records' fields, their sizes printed). TTLs are divided by SPEED (simulated seconds per
 * real second), so Redis holds what it would hold at that simulated time.
 * <p>
 * Live changes: CHANGES_PER_HOUR appended to the change log through RedisChangeLog (half additions with a DIM
 * embedding, half removals); every BUILD_HOURS a pool build folds the log as far as it stands (published 30 simulated
 * minutes later), and REPLICAS serving replicas swap to it after 0, 5 and 20 minutes (the swap protocol of LiveSync:
 * record the lower fold, read the trim point, refuse a pool that folded less); each replica refreshes its record every
 * simulated minute and the log is trimmed every minute (RedisChangeLog.trim, the service's Lua script). One replica
 * dies without a word 40 % into the run (its record lapses after 10 minutes) and a new one starts an hour later.
 * Lost changes: entries removed while a live replica's pool had not folded them, or that a build or a swap could not
 * replay (checked against every id appended); must be 0.
 * <p>
 * Usage (bench/redis-memory.sh): RedisMemoryBench HOST PORT MAXMEMORY_BYTES [HOURS=24] [RATE=20] [SPEED=720]
 *        [CHANGES_PER_HOUR=1200] [DIM=1280] [BUILD_HOURS=4] [THREADS=4] [TRIM=1] [PAGE=100 (lens.live.page-size)]
 *        [SESSION_TTL_HOURS=24 (lens.redis.session-ttl)]
 */
public class RedisMemoryBench {

    static final String TENANT = "default";
    static final String MODEL = "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final Duration ANSWER_TTL = Duration.ofHours(1);
    static Duration SESSION_TTL = Duration.ofHours(24);
    static final Duration CURSOR_TTL = Duration.ofMinutes(15);
    static final Duration REPLICA_TTL = Duration.ofMinutes(10);
    static final int SESSION_MAX_BYTES = 8192;
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    // parameters
    static String host;
    static int port;
    static long maxmemory;
    static double hours, rate, speed, changesPerHour, buildHours;
    static int dim, threads, page;
    static boolean trim;
    static long simStartMillis = Instant.parse("2026-11-23T00:00:00Z").toEpochMilli();
    static long realStartNanos;

    // value stand-ins
    static List<String> answers = new ArrayList<>();
    static List<String> sessions = new ArrayList<>();
    static List<String> cursors = new ArrayList<>();

    // counters
    static final AtomicLong requests = new AtomicLong();
    static final AtomicLong answerHits = new AtomicLong(), answerMisses = new AtomicLong(), answerEvicted = new AtomicLong();
    static final AtomicLong sessionReads = new AtomicLong(), sessionFound = new AtomicLong(), sessionEvicted = new AtomicLong();
    static final AtomicLong cursorReads = new AtomicLong(), cursorFound = new AtomicLong(), cursorEvicted = new AtomicLong();
    static final AtomicLong writeErrors = new AtomicLong(), readErrors = new AtomicLong();
    static final AtomicReference<String> lastError = new AtomicReference<>();
    static final AtomicLong maxLagMillis = new AtomicLong();

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = Integer.parseInt(args[1]);
        maxmemory = Long.parseLong(args[2]);
        hours = arg(args, 3, 24);
        rate = arg(args, 4, 20);
        speed = arg(args, 5, 720);
        changesPerHour = arg(args, 6, 1200);
        dim = (int) arg(args, 7, 1280);
        buildHours = arg(args, 8, 4);
        threads = (int) arg(args, 9, 4);
        trim = arg(args, 10, 1) != 0;
        page = (int) arg(args, 11, 100);
        SESSION_TTL = Duration.ofMinutes((long) (arg(args, 12, 24) * 60));
        makeValues();
        System.out.printf(Locale.ROOT, "simulating %.1f h at %.0f requests/s, %.0f changes/h (dimension %d), a pool build every %.1f h, "
                        + "%s; %.0fx faster than real time (answer TTL %s -> %.2f s real, session TTL %s -> %.1f s real); "
                        + "Redis %s:%d maxmemory %d MB volatile-ttl%n", hours, rate, changesPerHour, dim, buildHours,
                trim ? "the log trimmed every minute" : "THE LOG NOT TRIMMED", speed, ANSWER_TTL, ANSWER_TTL.toMillis() / speed / 1000,
                SESSION_TTL, SESSION_TTL.toMillis() / speed / 1000, host, port, maxmemory >> 20);
        System.out.printf(Locale.ROOT, "values: answer %d B, session %d B (at most %d), cursor %d B, change-log addition %d B%n",
                answers.get(0).length(), sessions.get(0).length(), SESSION_MAX_BYTES, cursors.get(0).length(), additionBytes());

        RedisSettings cacheSettings = new RedisSettings(host, port, null, null, false, 0, Duration.ofSeconds(1), threads + 2,
                Duration.ofMillis(100));
        RedisSettings logSettings = new RedisSettings(host, port, null, null, false, 0, Duration.ofSeconds(2), 2, Duration.ofMillis(100));
        long totalRequests = (long) (hours * 3600 * rate);
        try (RedisStore cache = new RedisStore(cacheSettings); RedisChangeLog log = new RedisChangeLog(new RedisStore(logSettings), true);
             Jedis info = new Jedis(host, port)) {
            realStartNanos = System.nanoTime();
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                Thread t = new Thread(() -> work(cache, worker, totalRequests), "worker-" + w);
                t.start();
                workers.add(t);
            }
            Control control = new Control(log, info);
            control.run();
            for (Thread t : workers) {
                t.join();
            }
            control.summary(totalRequests);
        }
    }

    static double arg(String[] args, int i, double def) {
        return args.length > i && !args[i].isBlank() ? Double.parseDouble(args[i]) : def;
    }

    /** Real nanos from the start at which simulated second {@code sim} is due. */
    static long dueNanos(double simSeconds) {
        return realStartNanos + (long) (simSeconds / speed * 1e9);
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    static Duration real(Duration simulated) {
        return Duration.ofNanos(Math.max(1_000_000, (long) (simulated.toNanos() / speed)));
    }

    // ---- requests -------------------------------------------------------------------------------------------

    static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** Request j's kind, deterministic: true for a suggestion (80 %), false for a search. */
    static boolean isSuggestion(long j) {
        return Math.floorMod(mix(j * 31 + 1), 100) < 80;
    }

    static String sessionId(long j) {
        return HexFormat.of().formatHex(longBytes(mix(j * 7 + 3), mix(j * 7 + 4)));
    }

    static String searchId(long j) {
        return HexFormat.of().formatHex(longBytes(mix(j * 11 + 5), mix(j * 11 + 6)));
    }

    static String photoDigest(long j) {
        return HexFormat.of().formatHex(longBytes(mix(j * 13 + 1), mix(j * 13 + 2), mix(j * 13 + 3), mix(j * 13 + 4)));
    }

    static byte[] longBytes(long... v) {
        byte[] b = new byte[v.length * 8];
        for (int i = 0; i < v.length; i++) {
            for (int k = 0; k < 8; k++) {
                b[i * 8 + k] = (byte) (v[i] >>> (8 * k));
            }
        }
        return b;
    }

    /** The pool version served at simulated second {@code t}: one per published build. */
    static String poolVersion(double t) {
        long builds = t < buildHours * 3600 + 1800 ? 0 : (long) ((t - 1800) / (buildHours * 3600));
        return "pool-" + builds;
    }

    /** Whether suggestion j re-uploads a photo of the last hour (10 %), and whose. */
    static boolean isRepeat(long j) {
        return Math.floorMod(mix(j * 17 + 9), 100) < 10;
    }

    static long photoOf(long j) {
        if (!isRepeat(j)) {
            return j;
        }
        return Math.max(0, j - 1 - Math.floorMod(mix(j * 19 + 2), Math.max(1, (long) (rate * 3600))));
    }

    static void work(RedisStore cache, int worker, long total) {
        try {
            for (long i = worker; i < total; i += threads) {
                double t = i / rate;
                long due = dueNanos(t);
                long lag = (System.nanoTime() - due) / 1_000_000;
                if (lag > 0) {
                    maxLagMillis.accumulateAndGet(lag, Math::max);
                } else {
                    sleepUntil(due);
                }
                request(cache, new SplittableRandom(mix(i * 23 + 7)), i, t);
                requests.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void request(RedisStore cache, SplittableRandom random, long i, double t) {
        if (isSuggestion(i)) {
            long photoOf = photoOf(i);
            String version = poolVersion(t);
            String key = CacheKeys.answer(TENANT, MODEL, version, photoDigest(photoOf));
            // the first upload of that photo cached its answer: it should still be there unless evicted
            boolean expected = photoOf != i && isSuggestion(photoOf) && !isRepeat(photoOf)
                    && poolVersion(photoOf / rate).equals(version) && (t - photoOf / rate) < ANSWER_TTL.toSeconds() * 0.98;
            Boolean hit = read(cache, key);
            if (hit == null) {
                // Redis errors: the service answers uncached
            } else if (hit) {
                answerHits.incrementAndGet();
            } else {
                answerMisses.incrementAndGet();
                if (expected) {
                    answerEvicted.incrementAndGet();
                }
                write(cache, key, answers.get((int) (i % answers.size())), real(ANSWER_TTL));
            }
            write(cache, CacheKeys.session(sessionId(i)), sessions.get((int) (i % sessions.size())), real(SESSION_TTL));
            if (random.nextBoolean()) {
                // a shipping check on an earlier suggestion, minutes to hours later
                long back = (long) (-Math.log(1 - random.nextDouble()) * 600 * rate);
                long j = i - 1 - back;
                if (j >= 0 && isSuggestion(j)) {
                    Boolean found = read(cache, CacheKeys.session(sessionId(j)));
                    if (found != null) {
                        sessionReads.incrementAndGet();
                        if (found) {
                            sessionFound.incrementAndGet();
                        } else if (t - j / rate < SESSION_TTL.toSeconds() * 0.98) {
                            sessionEvicted.incrementAndGet();
                        }
                    }
                }
            }
        } else {
            write(cache, CacheKeys.search(searchId(i)), cursors.get((int) (i % cursors.size())), real(CURSOR_TTL));
            if (random.nextInt(3) == 0) {
                long back = (long) (-Math.log(1 - random.nextDouble()) * 30 * rate);
                long j = i - 1 - back;
                if (j >= 0 && !isSuggestion(j)) {
                    Boolean found = read(cache, CacheKeys.search(searchId(j)));
                    if (found != null) {
                        cursorReads.incrementAndGet();
                        if (found) {
                            cursorFound.incrementAndGet();
                        } else if (t - j / rate < CURSOR_TTL.toSeconds() * 0.98) {
                            cursorEvicted.incrementAndGet();
                        }
                    }
                }
            }
        }
    }

    /** True: found, false: absent (a miss: degraded), null: Redis failed. */
    static Boolean read(RedisStore cache, String key) {
        try {
            return cache.get(key).isPresent();
        } catch (StoreUnavailableException e) {
            readErrors.incrementAndGet();
            lastError.set(e.getMessage());
            return null;
        }
    }

    static void write(RedisStore cache, String key, String value, Duration ttl) {
        try {
            cache.set(key, value, ttl);
        } catch (StoreUnavailableException e) {
            writeErrors.incrementAndGet();
            lastError.set(e.getMessage());
        }
    }

    // ---- value stand-ins ----------------------------------------------------------------------------------------

    static final String[][] CATEGORIES = {
            {"Fruit", "Banana"}, {"Packages", "Oat-Milk"}, {"Packages", "Juice", "Orange-Juice"}, {"Vegetables", "Tomato", "Cherry"},
            {"Dairy", "Yoghurt", "Greek-Yoghurt"}, {"Fruit", "Apple", "Pink-Lady"}, {"Bakery", "Bread", "Sourdough"}};

    static void makeValues() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        WeightClasses classes = new WeightClasses(List.of(250, 500, 1000, 2000, 5000));
        for (int v = 0; v < 64; v++) {
            List<ShippingCheck.Evidence> evidence = new ArrayList<>();
            List<ListingSuggestion.NeighbourView> shown = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int n = 0; n < 15; n++) {
                String[] c = CATEGORIES[r.nextInt(CATEGORIES.length)];
                double sim = Math.round((0.95 - n * 0.02 - r.nextDouble() * 0.01) * 1e6) / 1e6;
                evidence.add(new ShippingCheck.Evidence(List.of(c), (double) (100 + r.nextInt(2000)), sim));
                String id = "train-" + (10000 + r.nextInt(90000));
                ids.add(id);
                if (n < 10) {
                    shown.add(new ListingSuggestion.NeighbourView(id, "Organic " + c[c.length - 1] + " " + (200 + r.nextInt(800)) + " g",
                            List.of(c), sim, "/v1/images/train/" + c[c.length - 1] + "/" + id + ".jpg"));
                }
            }
            String[] top = CATEGORIES[v % CATEGORIES.length];
            List<ListingSuggestion.CategoryLevel> path = new ArrayList<>();
            for (String level : top) {
                path.add(new ListingSuggestion.CategoryLevel(level, Math.round(r.nextDouble() * 1000) / 1000.0));
            }
            WeightClasses.WeightClass w = classes.all().get(r.nextInt(classes.all().size()));
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("suggestionId", null);
            response.put("suggestionIdReason", null);
            response.put("cached", false);
            response.put("title", ListingSuggestion.Field.of("Organic " + top[top.length - 1] + " 500 g", 0.71));
            response.put("category", new ListingSuggestion.CategorySuggestion(path, null));
            response.put("brand", ListingSuggestion.Field.none("no brand has at least 30 % of the vote"));
            response.put("priceBand", new ListingSuggestion.PriceBand(1.2, 2.9, 1.99, "EUR", 12, null));
            response.put("weightClass", ListingSuggestion.Field.of(w, 0.64));
            response.put("colour", Map.of("name", "yellow", "hex", "#e8c547", "share", 0.412));
            response.put("neighbours", shown);
            response.put("duplicates", List.of());
            response.put("model", Map.of("name", "mobilenet_v2", "precision", "int8", "device", "cpu", "sha256", MODEL));
            response.put("pool", Map.of("version", "20261123T140317Z-2721", "listings", 2721, "builtAt", "2026-11-23T14:03:17Z",
                    "indexFactory", "IDMap,Flat"));
            response.put("timings", Map.of("decodeMs", 4.1, "embedMs", 21.7, "searchMs", 0.8, "aggregateMs", 0.2, "totalMs", 27.3));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("response", response);
            answer.put("evidence", evidence);
            answer.put("liveThrough", "1795450215894-0");
            answer.put("neighbourIds", ids);
            answers.add(JSON.writeValueAsString(answer));
            // the session as SuggestionService keeps it, bounded as it bounds it
            String sid = HexFormat.of().formatHex(longBytes(r.nextLong(), r.nextLong()));
            Instant created = Instant.parse("2026-11-23T10:00:00Z").plusSeconds(v);
            SizeCap.Fitted session = SizeCap.fit(evidence, kept -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("id", sid);
                s.put("createdAt", created);
                s.put("tenant", TENANT);
                s.put("modelSha256", MODEL);
                s.put("poolVersion", "20261123T140317Z-2721");
                s.put("suggestedWeightClass", w);
                s.put("suggestedCategory", List.of(top));
                s.put("neighbours", kept);
                try {
                    return JSON.writeValueAsString(s);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, SESSION_MAX_BYTES);
            sessions.add(session.value());
            // a search cursor: the query's embedding and its filter
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("tenant", TENANT);
            q.put("modelSha256", MODEL);
            q.put("vectors", List.of(ChangeCodec.encodeVector(vector(r))));
            q.put("category", List.of(top[0]));
            q.put("brands", List.of());
            q.put("minPrice", null);
            q.put("maxPrice", 5.0);
            q.put("excludeIds", List.of());
            q.put("limit", 20);
            q.put("createdAt", Instant.parse("2026-11-23T10:00:00Z"));
            cursors.add(JSON.writeValueAsString(q));
        }
    }

    static float[] vector(SplittableRandom r) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian() * 0.03f;
        }
        return v;
    }

    static int additionBytes() {
        Change c = addition(new SplittableRandom(1), 0);
        int n = 0;
        for (Map.Entry<String, String> e : ChangeCodec.encode(c).entrySet()) {
            n += e.getKey().length() + e.getValue().length();
        }
        return n;
    }

    static Change addition(SplittableRandom r, long n) {
        String[] c = CATEGORIES[r.nextInt(CATEGORIES.length)];
        String id = "live-" + n;
        return Change.add(new Listing(id, "https://cdn.example/" + id + ".jpg", "Organic " + c[c.length - 1] + " 500 g", List.of(c),
                "Brand " + r.nextInt(50), (double) (100 + r.nextInt(2000)), Math.round(r.nextDouble() * 1000) / 100.0, null),
                vector(r), "mobilenet_v2-224+320", Instant.ofEpochMilli(simStartMillis));
    }

    // ---- the change log, builds and replicas -------------------------------------------------------------------

    static final class Replica {
        final String id;
        ChangeId fold;
        boolean alive = true;

        Replica(String id, ChangeId fold) {
            this.id = id;
            this.fold = fold;
        }
    }

    record Swap(double at, Replica replica, ChangeId fold) {
    }

    record Sample(double hour, long usedBytes, long peakBytes, long evicted, long expired, long keys, long logEntries,
                  long logBytes, String trimmed, long lost) {
    }

    static final class Control {
        final RedisChangeLog log;
        final Jedis info;
        final SplittableRandom random = new SplittableRandom(7);
        final List<ChangeId> appended = new ArrayList<>();
        final List<Replica> replicas = new ArrayList<>();
        final List<Swap> swaps = new ArrayList<>();
        final List<Sample> samples = new ArrayList<>();
        ChangeId published = ChangeId.ZERO;
        ChangeId building = null;
        double buildPublishAt = -1;
        long liveAdds = 0;
        long appendErrors = 0, trimmedEntries = 0, lost = 0, overTrims = 0, buildGaps = 0, swapGaps = 0, refusals = 0, trims = 0;
        long swapsDone = 0;
        long maxLogEntries = 0, maxLogBytes = 0;
        String lastAppendError;

        Control(RedisChangeLog log, Jedis info) {
            this.log = log;
            this.info = info;
        }

        Instant sim(double seconds) {
            return Instant.ofEpochMilli(simStartMillis + (long) (seconds * 1000));
        }

        void run() throws Exception {
            for (int r = 0; r < 3; r++) {
                Replica replica = new Replica("replica-" + r, ChangeId.ZERO);
                replicas.add(replica);
                log.hold(TENANT, replica.id, replica.fold, sim(0).plus(REPLICA_TTL));
            }
            long minutes = (long) (hours * 60);
            double dieAt = Math.floor(hours * 0.4 * 60) * 60;
            double replaceAt = dieAt + 3600;
            for (long m = 1; m <= minutes; m++) {
                double t = m * 60.0;
                sleepUntil(dueNanos(t));
                appendChanges(t, m);
                if (building != null && t >= buildPublishAt) {
                    publish(t);
                }
                if (t % (buildHours * 3600) == 0) {
                    guard(() -> startBuild(t));
                }
                guard(() -> runSwaps(t));
                if (t == dieAt && replicas.size() > 2) {
                    replicas.get(2).alive = false; // no release: its record lapses after 10 minutes
                }
                if (t == replaceAt) {
                    Replica fresh = new Replica("replica-" + replicas.size(), null);
                    replicas.add(fresh);
                    guard(() -> swap(t, fresh, published));
                }
                guard(() -> heartbeat(t));
                if (trim) {
                    guard(() -> trim(t));
                }
                if (m % 15 == 0) {
                    guard(() -> sample(t));
                }
            }
            guard(() -> finalCheck(minutes * 60.0));
        }

        long logErrors = 0;
        String lastLogError;

        /** A log command that failed (Redis resting, OOM): counted, and the simulated minute goes on. */
        void guard(Runnable step) {
            try {
                step.run();
            } catch (StoreUnavailableException e) {
                logErrors++;
                lastLogError = e.getMessage();
            }
        }

        void appendChanges(double t, long m) {
            // Poisson-ish: the rate a minute, spread
            double mean = changesPerHour / 60;
            int n = (int) Math.floor(mean + random.nextGaussian() * Math.sqrt(Math.max(mean, 1e-9)) + 0.5);
            if (n <= 0) {
                return;
            }
            List<Change> batch = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                if (random.nextBoolean() || liveAdds == 0) {
                    batch.add(addition(random, liveAdds++));
                } else {
                    batch.add(Change.remove(random.nextBoolean() ? "live-" + random.nextLong(liveAdds) : "train-" + (10000 + random.nextInt(90000)),
                            sim(t)));
                }
            }
            try {
                for (Change c : log.append(TENANT, batch)) {
                    appended.add(c.id());
                }
            } catch (StoreUnavailableException e) {
                appendErrors += batch.size();
                lastAppendError = e.getMessage();
            }
        }

        void startBuild(double t) {
            // the build reads the log as far as it stands: from the base pool's fold (what it carries) onward
            ChangeId base = published;
            ChangeId firstAfter = firstAfter(base);
            if (firstAfter != null && !firstAfter.equals(successor(base))) {
                buildGaps++;
            }
            building = appended.isEmpty() ? ChangeId.ZERO : appended.get(appended.size() - 1);
            buildPublishAt = t + 1800;
        }

        void publish(double t) {
            published = building;
            building = null;
            double[] lags = {0, 300, 1200};
            int k = 0;
            for (Replica r : replicas) {
                if (r.alive) {
                    swaps.add(new Swap(t + lags[Math.min(k++, lags.length - 1)], r, published));
                }
            }
        }

        void runSwaps(double t) {
            for (Swap s : new ArrayList<>(swaps)) {
                if (s.at() <= t) {
                    swaps.remove(s);
                    if (s.replica().alive) {
                        swap(t, s.replica(), s.fold());
                    }
                }
            }
        }

        /** LiveSync.swap's protocol: record the lower fold, read the trim point, refuse or replay. */
        void swap(double t, Replica r, ChangeId fold) {
            ChangeId interim = r.fold == null || fold.compareTo(r.fold) < 0 ? fold : r.fold;
            ChangeId trimmed = log.hold(TENANT, r.id, interim, sim(t).plus(REPLICA_TTL));
            if (trimmed.isAfter(fold)) {
                refusals++;
                if (r.fold != null) {
                    log.hold(TENANT, r.id, r.fold, sim(t).plus(REPLICA_TTL));
                }
                return;
            }
            // replays the log after the fold in pages of lens.live.page-size, as LiveSync.swap does
            if (!replay(fold).equals(appended.stream().filter(id -> id.isAfter(fold)).toList())) {
                swapGaps++;
            }
            swapsDone++;
            r.fold = fold;
            log.hold(TENANT, r.id, fold, sim(t).plus(REPLICA_TTL));
        }

        void heartbeat(double t) {
            for (Replica r : replicas) {
                if (r.alive && r.fold != null) {
                    log.hold(TENANT, r.id, r.fold, sim(t).plus(REPLICA_TTL));
                }
            }
        }

        void trim(double t) {
            ChangeLog.Trim result = log.trim(TENANT, sim(t));
            trims++;
            trimmedEntries += result.removed();
            // every entry up to the trim point must have been folded by every replica still serving
            ChangeId lowest = null;
            for (Replica r : replicas) {
                if (r.alive && r.fold != null && (lowest == null || r.fold.compareTo(lowest) < 0)) {
                    lowest = r.fold;
                }
            }
            if (lowest != null && result.through().isAfter(lowest)) {
                ChangeId low = lowest;
                lost = Math.max(lost, appended.stream().filter(id -> id.isAfter(low) && !id.isAfter(result.through())).count());
            }
            // and exactly those are gone: the log starts right after the trim point
            ChangeId first = firstAfter(ChangeId.ZERO);
            ChangeId expected = successor(result.through());
            if (first != null && expected != null && !first.equals(expected)) {
                overTrims++;
            }
        }

        /** Every entry after {@code after}, read in pages of {@code page} as the service reads them. */
        List<ChangeId> replay(ChangeId after) {
            List<ChangeId> out = new ArrayList<>();
            ChangeId from = after;
            while (true) {
                ChangeLog.Batch b = log.read(TENANT, from, page);
                if (b.isEmpty()) {
                    return out;
                }
                b.changes().forEach(c -> out.add(c.id()));
                from = b.last();
            }
        }

        /** The first entry the log holds after {@code id}, null when none. */
        ChangeId firstAfter(ChangeId id) {
            ChangeLog.Batch b = log.read(TENANT, id, 1);
            return b.last();
        }

        /** The appended id right after {@code id} (null: none yet). */
        ChangeId successor(ChangeId id) {
            int i = java.util.Collections.binarySearch(appended, id);
            int next = i >= 0 ? i + 1 : -i - 1;
            return next < appended.size() ? appended.get(next) : null;
        }

        static final int[] AGES_HOURS = {1, 2, 4, 8, 12, 16, 23};
        final long[] agedProbed = new long[AGES_HOURS.length];
        final long[] agedFound = new long[AGES_HOURS.length];

        /** Whether sessions made 1, 2, 4 ... 23 simulated hours ago are still there (a sample of 100 each). */
        void probeSessions(double t) {
            for (int a = 0; a < AGES_HOURS.length; a++) {
                double age = AGES_HOURS[a] * 3600.0;
                if (t - age < 60 || AGES_HOURS[a] * 3600L >= SESSION_TTL.toSeconds()) {
                    continue;
                }
                long base = (long) ((t - age) * rate);
                for (long j = base, n = 0; n < 100 && j < base + 100_000; j++) {
                    if (isSuggestion(j)) {
                        n++;
                        agedProbed[a]++;
                        if (info.exists(CacheKeys.session(sessionId(j)))) {
                            agedFound[a]++;
                        }
                    }
                }
            }
        }

        void sample(double t) {
            probeSessions(t);
            Map<String, String> mem = parse(info.info("memory"));
            Map<String, String> stats = parse(info.info("stats"));
            Map<String, String> keyspace = parse(info.info("keyspace"));
            long keys = 0;
            String db0 = keyspace.get("db0");
            if (db0 != null) {
                keys = Long.parseLong(db0.replaceAll("^keys=(\\d+).*$", "$1"));
            }
            long entries = info.xlen(CacheKeys.changes(TENANT));
            Long bytes = info.memoryUsage(CacheKeys.changes(TENANT), 0);
            long logBytes = bytes == null ? 0 : bytes;
            maxLogEntries = Math.max(maxLogEntries, entries);
            maxLogBytes = Math.max(maxLogBytes, logBytes);
            Sample s = new Sample(t / 3600, Long.parseLong(mem.get("used_memory")), Long.parseLong(mem.get("used_memory_peak")),
                    Long.parseLong(stats.get("evicted_keys")), Long.parseLong(stats.get("expired_keys")), keys, entries, logBytes,
                    java.util.Objects.requireNonNullElse(info.get(CacheKeys.trimmed(TENANT)), "0-0"), lost);
            samples.add(s);
            if (Math.round(t) % 3600 == 0) {
                double realSeconds = (System.nanoTime() - realStartNanos) / 1e9;
                System.out.printf(Locale.ROOT, "[sim %5.1f h | real %5.1f s] used %5.1f MB (peak %5.1f) of %d MB, keys %7d, evicted %8d, "
                                + "expired %8d | log %5d entries %5.1f MB, trimmed through %s, pool folds %s | requests %d, "
                                + "lag max %d ms | lost %d%n",
                        s.hour(), realSeconds, s.usedBytes() / 1048576.0, s.peakBytes() / 1048576.0, maxmemory >> 20, keys,
                        s.evicted(), s.expired(), entries, logBytes / 1048576.0, s.trimmed(), folds(), requests.get(),
                        maxLagMillis.get(), lost);
            }
        }

        String folds() {
            StringBuilder b = new StringBuilder();
            for (Replica r : replicas) {
                b.append(b.isEmpty() ? "" : ",").append(r.alive ? "" : "x").append(r.fold == null ? "-" : r.fold.millis() % 100_000_000);
            }
            return b.toString();
        }

        void finalCheck(double t) {
            // a fresh replica with the newest pool replays every change after its fold
            Replica fresh = new Replica("replica-final", null);
            ChangeId trimmed = log.hold(TENANT, fresh.id, published, sim(t).plus(REPLICA_TTL));
            List<ChangeId> replayed = replay(published);
            List<ChangeId> expected = appended.stream().filter(id -> id.isAfter(published)).toList();
            freshOk = !trimmed.isAfter(published) && replayed.equals(expected);
            freshReplayed = replayed.size();
            for (Replica r : replicas) {
                log.release(TENANT, r.id);
            }
            log.release(TENANT, fresh.id);
        }

        boolean freshOk;
        long freshReplayed;

        void summary(long total) {
            Map<String, String> mem = parse(info.info("memory"));
            Map<String, String> stats = parse(info.info("stats"));
            long peak = Long.parseLong(mem.get("used_memory_peak"));
            long maxUsed = samples.stream().mapToLong(Sample::usedBytes).max().orElse(0);
            double realSeconds = (System.nanoTime() - realStartNanos) / 1e9;
            System.out.println();
            System.out.println("log length (entries) every simulated hour: " + String.join(" ", samples.stream()
                    .filter(s -> Math.abs(s.hour() - Math.round(s.hour())) < 1e-9).map(s -> Long.toString(s.logEntries())).toList()));
            System.out.printf(Locale.ROOT, "SUMMARY simulated %.1f h in %.0f s real (%.0fx); %d requests (%d planned), worst lag %d ms%n",
                    hours, realSeconds, hours * 3600 / realSeconds, requests.get(), total, maxLagMillis.get());
            System.out.printf(Locale.ROOT, "memory: used_memory peak %.1f MB (sampled every 15 simulated minutes: at most %.1f MB) vs "
                            + "maxmemory %d MB: %+.2f MB (%+.1f %%; Redis evicts once a write has taken it past maxmemory; bar: within "
                            + "2 %%: %s); evicted keys %s, expired keys %s%n", peak / 1048576.0, maxUsed / 1048576.0, maxmemory >> 20,
                    (peak - maxmemory) / 1048576.0, 100.0 * (peak - maxmemory) / maxmemory, peak <= maxmemory * 1.02 ? "yes" : "NO",
                    stats.get("evicted_keys"), stats.get("expired_keys"));
            if (logErrors > 0 || appendErrors > 0) {
                System.out.printf(Locale.ROOT, "change-log commands failed: %d appends (last: %s), %d records/trims/reads (last: %s)%n",
                        appendErrors, lastAppendError, logErrors, lastLogError);
            }
            System.out.printf(Locale.ROOT, "change log: %d appended (%d failed), %d trimmed by %d trims, longest %d entries / %.1f MB, "
                            + "now %d; lost (removed before every live replica folded them) %d; over-trimmed %d; build gaps %d; "
                            + "swaps %d (each replayed the log after its fold in pages of %d), swap gaps %d; swaps refused %d; fresh replica with the newest pool replays all %d changes after its fold: %s%n",
                    appended.size(), appendErrors, trimmedEntries, trims, maxLogEntries, maxLogBytes / 1048576.0, info.xlen(CacheKeys.changes(TENANT)), lost,
                    overTrims, buildGaps, swapsDone, page, swapGaps, refusals, freshReplayed, freshOk ? "yes" : "NO");
            long answerReads = answerHits.get() + answerMisses.get();
            System.out.printf(Locale.ROOT, "answers: %d reads, %d hits, %d misses of which %d evicted before their TTL (recomputed: degraded); "
                            + "sessions: %d shipping-check reads, %d found, %d evicted before their TTL (404: degraded); cursors: %d page reads, "
                            + "%d found, %d evicted (degraded); Redis errors: %d reads, %d writes%s%n",
                    answerReads, answerHits.get(), answerMisses.get(), answerEvicted.get(), sessionReads.get(), sessionFound.get(),
                    sessionEvicted.get(), cursorReads.get(), cursorFound.get(), cursorEvicted.get(), readErrors.get(), writeErrors.get(),
                    lastError.get() == null ? "" : " (last: " + lastError.get() + ")");
            StringBuilder aged = new StringBuilder();
            for (int a = 0; a < AGES_HOURS.length; a++) {
                if (agedProbed[a] > 0) {
                    aged.append(String.format(Locale.ROOT, " %d h: %.0f %%;", AGES_HOURS[a], 100.0 * agedFound[a] / agedProbed[a]));
                }
            }
            System.out.println("sessions still in Redis at age (samples of 100 every 15 simulated minutes):" + aged);
            boolean ok = peak <= maxmemory * 1.02 && lost == 0 && overTrims == 0 && buildGaps == 0 && swapGaps == 0 && freshOk
                    && appendErrors == 0 && logErrors == 0 && readErrors.get() == 0 && writeErrors.get() == 0;
            System.out.println("RESULT " + (ok ? "PASS" : "FAIL") + " peak_mb=" + String.format(Locale.ROOT, "%.1f", peak / 1048576.0)
                    + " maxmemory_mb=" + (maxmemory >> 20) + " evicted=" + stats.get("evicted_keys") + " lost=" + lost
                    + " append_errors=" + appendErrors + " redis_errors=" + (readErrors.get() + writeErrors.get())
                    + " max_log_entries=" + maxLogEntries);
            if (!ok) {
                System.exit(1);
            }
        }
    }

    static Map<String, String> parse(String info) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return m;
    }
}
