package dev.wiretap.proxy.export;

import dev.wiretap.proxy.flow.Timings;

/**
 * An entry's timings in the terms of HAR 1.2 (section "timings"), in microseconds so that the parts add up
 * exactly; -1 where a phase did not happen. {@code send}, {@code wait} and {@code receive} are never -1 (the
 * format requires them), and {@code blocked} holds what the measured phases leave of the flow's total (reading the
 * request from the client, addons, waiting for a pooled connection), so that {@link #totalMicros()} (HAR's
 * {@code time}, the sum of the parts) matches the flow's duration. {@code ssl} is the TLS handshake with the origin
 * and, as HAR 1.2 says, is also counted in {@code connect}. The first request on a connection opened when its tunnel
 * was reports that connection's phases though they came before it (as mitmproxy's HAR does): its parts then add up
 * to more than the flow's duration, with no {@code blocked}. Immutable.
 */
record HarTimings(long blockedMicros, long dnsMicros, long connectMicros, long sslMicros, long sendMicros,
                         long waitMicros, long receiveMicros) {

    public static HarTimings of(Timings t) {
        long dns = micros(t.dnsNanos());
        long ssl = micros(t.sslNanos());
        long connect = micros(t.connectWithSslNanos());
        long send = Math.max(0, micros(t.sendNanos()));
        long wait = Math.max(0, micros(t.waitNanos()));
        long receive = Math.max(0, micros(t.receiveNanos()));
        long measured = Math.max(0, dns) + Math.max(0, connect) + send + wait + receive;
        long rest = micros(t.totalNanos()) - measured;
        return new HarTimings(rest > 0 ? rest : -1, dns, connect, ssl, send, wait, receive);
    }

    private static long micros(long nanos) {
        return nanos < 0 ? -1 : (nanos + 500) / 1000;
    }

    /** HAR's {@code time}: the sum of every phase that happened (ssl is inside connect, so not added again). */
    public long totalMicros() {
        return Math.max(0, blockedMicros) + Math.max(0, dnsMicros) + Math.max(0, connectMicros) + sendMicros
                + waitMicros + receiveMicros;
    }

    /** Microseconds as HAR's milliseconds (three decimals), -1 staying -1. */
    public static double millis(long micros) {
        return micros < 0 ? -1 : micros / 1000.0;
    }
}
