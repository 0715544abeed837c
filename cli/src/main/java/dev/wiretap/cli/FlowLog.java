package dev.wiretap.cli;

import dev.wiretap.cli.view.TerminalText;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.addon.FlowExchange;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.flow.Flow;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The headless log: one line per finished exchange (time, client, method, URL, status, response bytes, duration, the
 * error if any, and the rules that changed or answered it as {@code [rules: a, b]}), with headers under it when
 * verbose. Connection threads only put the flow's line on a queue bounded by the bytes it holds ({@link LogQueue},
 * 16 MiB); a thread of its own formats and writes lines in batches, so a slow terminal never slows the proxy, and a
 * stalled one never fills the memory. Lines past the budget are dropped, and the writer says how many. Only the
 * exchanges the filter selects ({@code --filter}) are logged, decided on the writer's thread over the flow as the flow store holds it, bodies decoded for body terms (which a connection's
 * thread must not wait for); with
 * {@link LogFormat#JSON} each is a JSON object ({@link JsonLogLine}) and notices go to standard error instead, so that
 * standard output holds JSON alone.
 */
final class FlowLog implements FlowListener {

    private static final java.time.zone.ZoneRules ZONE = ZoneId.systemDefault().getRules();
    private static final Object STOP = new Object();
    private static final long TICK_MILLIS = 50;

    private final PrintStream out;
    private final PrintStream notices;
    private final boolean colours;
    private final boolean verbose;
    private final LogFormat format;
    private final Filter filter;
    private final LogQueue queue;
    private final Thread writer = Thread.ofPlatform().name("wiretap-log").daemon(true).unstarted(this::writeLoop);
    private volatile Thread counters;
    /** Finished flows by number, for the filter; set by {@link #start} before the writer runs, read only by it. */
    private LongFunction<Optional<Flow>> flows = id -> Optional.empty();

    /** A line waiting for the filter's word on its flow (with a filter other than {@link Filter#ALL}). */
    private record Pending(Object line, long flowId) {
    }

    FlowLog(PrintStream out, boolean colours, boolean verbose) {
        this(out, out, colours, verbose, LogFormat.TEXT, Filter.ALL);
    }

    /** {@code notices} takes the notices in JSON format (standard error), where standard output is JSON alone. */
    FlowLog(PrintStream out, PrintStream notices, boolean colours, boolean verbose, LogFormat format, Filter filter) {
        this(out, notices, colours, verbose, format, filter, LogQueue.DEFAULT_MAX_BYTES);
    }

    /** As above, with the lines waiting for the output bounded by {@code maxQueuedBytes}. */
    FlowLog(PrintStream out, PrintStream notices, boolean colours, boolean verbose, LogFormat format, Filter filter,
            long maxQueuedBytes) {
        this.queue = new LogQueue(maxQueuedBytes);
        this.out = out;
        this.notices = format == LogFormat.JSON ? notices : out;
        this.colours = colours && format == LogFormat.TEXT;
        this.verbose = verbose;
        this.format = format;
        this.filter = filter;
    }

    /** Starts writing; the filter reads the finished flows it decides on from {@code flows} (the flow store's). */
    void start(LongFunction<Optional<Flow>> flows) {
        this.flows = flows;
        writer.start();
    }

    @Override
    public void onEvent(FlowEvent event) {
        if (event instanceof FlowEvent.Completed || event instanceof FlowEvent.Failed) {
            Flow flow = event.flow();
            if (!verbose && flow.isIntercepted() && flow.error().isEmpty()) {
                return; // the tunnel's requests are shown as flows of their own; its CONNECT only with -v
            }
            Object line;
            long bytes;
            if (format == LogFormat.JSON) {
                JsonLogLine json = JsonLogLine.of(flow, verbose);
                line = json;
                bytes = json.sizeBytes();
            } else {
                LogLine text = LogLine.of(flow, verbose);
                line = text;
                bytes = text.sizeBytes();
            }
            queue.offer(filter == Filter.ALL ? line : new Pending(line, flow.id()), bytes);
        }
    }

    /** Whether the filter selects the flow of a pending line; on the writer's thread. */
    private boolean selected(Pending pending) {
        try {
            // A flow the store does not hold (larger than its whole budget) cannot be judged: logged rather than lost.
            return flows.apply(pending.flowId()).map(f -> filter.matches(FlowExchange.decoding(f))).orElse(true);
        } catch (RuntimeException e) {
            return true; // a filter that cannot decide logs the exchange rather than lose it
        }
    }

    /**
     * Prints a line of its own, after the flow lines queued before it (in JSON format: on standard error, at once).
     * Plain text, which may quote a file or a flow: made visible (line feeds kept), as every value the log prints.
     */
    void printNotice(String text) {
        queueNotice(TerminalText.visibleLines(text));
    }

    /** Prints a notice of wiretap's own making as it is (its colours included). */
    private void queueNotice(String text) {
        if (format == LogFormat.JSON) {
            notices.println(text);
            notices.flush();
            return;
        }
        queue.add(text, LogQueue.sizeOf(text));
    }

    /** Prints a line of its own on the log's output (never the notices'), after what was queued before it. */
    void printLine(String text) {
        queue.add(text, LogQueue.sizeOf(text));
    }

    /** Every 10 seconds with traffic, prints the connection counters. */
    void startCounters(Supplier<ConnectionStats> stats) {
        counters = Thread.ofVirtual().name("wiretap-counters").start(() -> {
            ConnectionStats last = null;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    return;
                }
                ConnectionStats now = stats.get();
                if (last == null || now.flows() != last.flows()) {
                    queueNotice(dim("counters: " + Main.summary(now) + ", " + now.clientOpen() + " client and "
                            + now.upstreamIdle() + " idle upstream connections open"));
                }
                last = now;
            }
        });
    }

    /** Writes what is queued, then stops the writer. */
    void stop() {
        Thread c = counters;
        if (c != null) {
            c.interrupt();
        }
        queue.add(STOP, 0);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Drains the queue every {@value #TICK_MILLIS} ms rather than waking on each flow: a wake-up per exchange costs
     * the proxy's threads a futex call each, while a line at most a tick late is invisible to a reader.
     */
    private void writeLoop() {
        List<LogQueue.Entry> batch = new ArrayList<>(1024);
        StringBuilder sb = new StringBuilder(64 * 1024);
        while (true) {
            queue.drainTo(batch, 4096);
            if (batch.isEmpty()) {
                reportDropped(sb);
                try {
                    Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            boolean stop = false;
            for (LogQueue.Entry queued : batch) {
                Object item = queued.item();
                if (item instanceof Pending pending) {
                    if (!selected(pending)) {
                        continue;
                    }
                    item = pending.line();
                }
                if (item == STOP) {
                    stop = true;
                } else if (item instanceof LogLine line) {
                    format(line, sb);
                } else if (item instanceof JsonLogLine json) {
                    json.appendTo(sb);
                } else {
                    sb.append(item).append('\n');
                }
            }
            reportDropped(sb);
            out.print(sb);
            out.flush();
            sb.setLength(0);
            queue.release(batch); // written: what waited for the output no longer does
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private void reportDropped(StringBuilder sb) {
        long n = queue.takeDropped();
        if (n > 0 && format == LogFormat.JSON) {
            notices.println("wiretap: " + n + " exchanges not logged (output could not keep up)");
            notices.flush();
        } else if (n > 0) {
            sb.append(dim("... " + n + " exchanges not shown (output could not keep up)")).append('\n');
            if (sb.length() > 0) {
                out.print(sb);
                out.flush();
                sb.setLength(0);
            }
        }
    }

    void format(Flow flow, StringBuilder sb) {
        format(LogLine.of(flow, verbose), sb);
    }

    void format(LogLine line, StringBuilder sb) {
        if (colours) {
            sb.append("\u001b[2m");
        }
        appendLocalTime(sb, line.started());
        if (colours) {
            sb.append("\u001b[0m");
        }
        sb.append(' ');
        sb.append(line.client().getAddress().getHostAddress()).append(':').append(line.client().getPort()).append(' ');
        sb.append(bold(TerminalText.visible(line.method()))).append(' ').append(TerminalText.visible(line.url())).append(' ');
        int status = line.status();
        if (status < 0) {
            sb.append(colour(31, "---"));
        } else {
            sb.append(colour(status >= 500 ? 31 : status >= 400 ? 33 : status >= 300 ? 36 : 32, Integer.toString(status)));
        }
        Sizes.append(sb.append(' '), line.bytes());
        Sizes.appendMillis(sb.append(' '), line.durationNanos());
        if (!line.error().isEmpty()) {
            sb.append(' ').append(colour(31, TerminalText.visible(line.error())));
        }
        if (!line.rules().isEmpty()) {
            sb.append(' ').append(colour(35, "[rules: " + TerminalText.visible(String.join(", ", line.rules())) + "]"));
        }
        if (verbose && !line.upstream().isEmpty()) {
            sb.append(dim(" [upstream " + line.upstream() + "]"));
        }
        sb.append('\n');
        lines(">", line.requestLines(), sb);
        lines("<", line.responseLines(), sb);
    }

    private void lines(String arrow, List<String> lines, StringBuilder sb) {
        for (String text : lines) {
            sb.append("    ").append(dim(arrow)).append(' ').append(TerminalText.visible(text)).append('\n');
        }
    }

    /** {@code HH:mm:ss.SSS} in the local time zone, without a formatter (one line per exchange). */
    static void appendLocalTime(StringBuilder sb, java.time.Instant instant) {
        long local = instant.getEpochSecond() + ZONE.getOffset(instant).getTotalSeconds();
        int secondOfDay = (int) Math.floorMod(local, 86_400L);
        twoDigits(sb, secondOfDay / 3600).append(':');
        twoDigits(sb, secondOfDay / 60 % 60).append(':');
        twoDigits(sb, secondOfDay % 60).append('.');
        int millis = instant.getNano() / 1_000_000;
        if (millis < 100) {
            sb.append('0');
        }
        if (millis < 10) {
            sb.append('0');
        }
        sb.append(millis);
    }

    private static StringBuilder twoDigits(StringBuilder sb, int value) {
        if (value < 10) {
            sb.append('0');
        }
        return sb.append(value);
    }


    private String colour(int code, String text) {
        return colours ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }

    private String bold(String text) {
        return colours ? "\u001b[1m" + text + "\u001b[0m" : text;
    }

    private String dim(String text) {
        return colours ? "\u001b[2m" + text + "\u001b[0m" : text;
    }
}
