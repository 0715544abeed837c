package dev.wiretap.proxy.addon;

import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.ReasonPhrase;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Timings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exchanges a server replay serves, indexed by what a request must match: method and URL, and with
 * {@code matchBody} the request body's digest too. Several recorded exchanges with the same key are served in the order
 * they were recorded, the last one again once all have been. Made by a {@link Builder} from recorded flows (a HAR's, a
 * session file's), on the loading thread; then read by every connection thread, and safe for that (the index is
 * immutable, the cursors atomic).
 */
public final class RecordedExchanges {

    /** One recorded response, ready to serve, and the number its flow had in the recording. */
    record Recorded(long recordedId, Answer.Recorded answer) {
    }

    private final String source;
    private final boolean matchBody;
    private final Map<String, List<Recorded>> byKey;
    private final Map<String, AtomicInteger> cursors;
    private final Set<String> requests;
    private final int size;
    private final List<String> warnings;

    private RecordedExchanges(Builder b) {
        this.source = b.source;
        this.matchBody = b.matchBody;
        this.byKey = Map.copyOf(b.byKey);
        Map<String, AtomicInteger> c = new HashMap<>();
        byKey.keySet().forEach(k -> c.put(k, new AtomicInteger()));
        this.cursors = Map.copyOf(c);
        this.requests = Set.copyOf(b.requests);
        this.size = b.size;
        this.warnings = List.copyOf(b.warnings);
    }

    /** Starts an index of the exchanges recorded in {@code source} (a file's name, for notes and messages). */
    public static Builder builder(String source, boolean matchBody, long maxBodyBytes) {
        return new Builder(source, matchBody, maxBodyBytes);
    }

    /** Where the exchanges were recorded: the file's name. */
    public String source() {
        return source;
    }

    /** Recorded exchanges that can be served. */
    public int size() {
        return size;
    }

    /** Recorded flows left out, and why (a tunnel, no response, a body cut at the capture cap). */
    public List<String> warnings() {
        return warnings;
    }

    boolean matchesBodies() {
        return matchBody;
    }

    /** Whether some exchange was recorded for this method and URL (whatever its body). */
    boolean hasRequest(String method, String url) {
        return requests.contains(method + " " + url);
    }

    /** The next recorded response for this request ({@code body}: its bytes, read only when bodies are matched). */
    Optional<Recorded> next(String method, String url, byte[] body) {
        String key = key(method, url, matchBody ? body : null);
        List<Recorded> list = byKey.get(key);
        if (list == null) {
            return Optional.empty();
        }
        int turn = cursors.get(key).getAndIncrement();
        return Optional.of(list.get(Math.min(turn, list.size() - 1)));
    }

    private static String key(String method, String url, byte[] body) {
        return body == null ? method + " " + url : method + " " + url + " " + digest(body);
    }

    private static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Collects recorded flows into an index; not thread-safe (one loading thread). */
    public static final class Builder {
        /** Recorded flows left out that are named one by one; the rest are counted. */
        private static final int MAX_WARNINGS = 20;

        private final String source;
        private final boolean matchBody;
        private final long maxBodyBytes;
        private final Map<String, List<Recorded>> byKey = new HashMap<>();
        private final Set<String> requests = new HashSet<>();
        private final List<String> warnings = new ArrayList<>();
        private long bodyBytes;
        private int size;
        private int skipped;

        private Builder(String source, boolean matchBody, long maxBodyBytes) {
            this.source = source;
            this.matchBody = matchBody;
            this.maxBodyBytes = maxBodyBytes;
        }

        /**
         * Adds one recorded flow, or leaves it out with a warning when it cannot be served faithfully.
         *
         * @throws IllegalStateException when the recorded bodies together pass the bound given to the builder
         */
        public void add(Flow flow) {
            String what = "flow " + flow.id() + " (" + flow.request().method() + " " + flow.request().url() + ")";
            Optional<Response> response = flow.response();
            if (flow.request().isMethod("CONNECT")) {
                return; // a tunnel: the requests inside it, if it was intercepted, are flows of their own
            }
            if (response.isEmpty() || response.get().status() < 200) {
                skip(what + " has no response");
                return;
            }
            if (response.get().status() == 101) {
                skip(what + " switched protocols; a replay cannot speak the protocol that followed");
                return;
            }
            if (response.get().body().isTruncated()) {
                skip(what + ": its response body was " + response.get().body().captureNote());
                return;
            }
            if (matchBody && flow.request().body().isTruncated()) {
                skip(what + ": its request body was " + flow.request().body().captureNote()
                        + ", so no request could be matched against it");
                return;
            }
            byte[] body = response.get().body().bytes();
            bodyBytes += body.length;
            if (bodyBytes > maxBodyBytes) {
                throw new IllegalStateException(source + " records more body bytes than a replay keeps in memory ("
                        + maxBodyBytes + " bytes, capture.store_budget)");
            }
            String method = flow.request().method();
            String url = flow.request().url();
            String key = key(method, url, matchBody ? flow.request().body().bytes() : null);
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Recorded(flow.id(), answer(flow, response.get(), body)));
            requests.add(method + " " + url);
            size++;
        }

        /** Adds what the file reader said about the file itself (entries it skipped, a file cut short). */
        public void warn(List<String> readerWarnings) {
            warnings.addAll(readerWarnings);
        }

        public RecordedExchanges build() {
            if (skipped > MAX_WARNINGS) {
                warnings.add((skipped - MAX_WARNINGS) + " more recorded flows left out");
            }
            return new RecordedExchanges(this);
        }

        private void skip(String why) {
            if (++skipped <= MAX_WARNINGS) {
                warnings.add("left out of the replay: " + why);
            }
        }

        private static Answer.Recorded answer(Flow flow, Response response, byte[] body) {
            Timings t = flow.timings();
            String reason = response.reason().isEmpty() ? ReasonPhrase.of(response.status()) : response.reason();
            return new Answer.Recorded(response.status(), reason, response.headers(), body,
                    Duration.ofNanos(Math.max(0, t.waitNanos())), Duration.ofNanos(Math.max(0, t.receiveNanos())));
        }
    }
}
