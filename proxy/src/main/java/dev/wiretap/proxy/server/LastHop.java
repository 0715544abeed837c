package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import java.io.IOException;

/**
 * Max-Forwards (RFC 9110 section 7.6.2): a TRACE or OPTIONS whose count has reached 0 is answered by wiretap as the
 * final recipient; with a higher count the count goes down by one on the way out.
 */
final class LastHop {

    private LastHop() {
    }

    /** True if wiretap must answer {@code request} itself; otherwise decreases its count, if it has one. */
    static boolean isLastHop(Request request) {
        if (!request.isMethod("TRACE") && !request.isMethod("OPTIONS")) {
            return false;
        }
        Headers h = request.headers();
        int i = h.indexOf("Max-Forwards", 0);
        if (i < 0) {
            return false;
        }
        String value = h.value(i);
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false; // not a count: passed on untouched
        }
        int hops = Integer.parseInt(value);
        if (hops > 0) {
            h.set("Max-Forwards", Integer.toString(hops - 1));
        }
        return hops == 0;
    }

    /**
     * Answers as the final recipient: TRACE echoes the request head as it arrived, OPTIONS gets a bare 200.
     * Returns what the client connection does next.
     */
    static Outcome answer(Exchange exchange, boolean requestBodyDone) throws IOException {
        Request request = exchange.request();
        boolean trace = request.isMethod("TRACE");
        LocalResponse answer = new LocalResponse(200, "OK", trace ? "message/http" : "text/plain",
                trace ? request.wireHead() : new byte[0]);
        boolean keep = exchange.mayKeep(requestBodyDone);
        exchange.sendLocal(answer, !keep);
        exchange.complete();
        return keep ? Outcome.KEEP : Outcome.CLOSE;
    }
}
