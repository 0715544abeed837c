package dev.wiretap.proxy.server;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import java.io.IOException;

/**
 * Runs the addons' hooks for an exchange, in order, on its connection's thread. An addon that throws fails the
 * exchange with a 500 naming it; the proxy itself carries on. Every hook runs before anything of the final response
 * has gone to the client, so the 500 can still take its place.
 */
final class AddonHooks {

    private AddonHooks() {
    }

    /** The request head hook; returns false if an addon failed (the 500 has been sent). */
    static boolean requestHead(ClientSession session, Flow flow, boolean closeOnFailure) throws IOException {
        for (Addon addon : session.context().addons()) {
            try {
                addon.onRequestHead(flow);
            } catch (RuntimeException e) {
                session.fail(flow, 500, "addon " + addon.name() + " failed: " + e, FlowError.Kind.INTERNAL, closeOnFailure);
                return false;
            }
        }
        return true;
    }

    /**
     * The held request hook (only for a flow an addon held at its head); returns false if an addon failed (the 500
     * has been sent).
     */
    static boolean request(ClientSession session, Flow flow, boolean closeOnFailure) throws IOException {
        for (Addon addon : session.context().addons()) {
            try {
                addon.onRequest(flow);
            } catch (RuntimeException e) {
                session.fail(flow, 500, "addon " + addon.name() + " failed: " + e, FlowError.Kind.INTERNAL, closeOnFailure);
                return false;
            }
        }
        return true;
    }

    /** The held response hook; returns false if an addon failed (the 500 has been sent, and the connection closes). */
    static boolean response(ClientSession session, Flow flow) throws IOException {
        for (Addon addon : session.context().addons()) {
            try {
                addon.onResponse(flow);
            } catch (RuntimeException e) {
                session.fail(flow, 500, "addon " + addon.name() + " failed: " + e, FlowError.Kind.INTERNAL, true);
                return false;
            }
        }
        return true;
    }

    /** The response head hook; returns false if an addon failed (the 500 has been sent, and the connection closes). */
    static boolean responseHead(ClientSession session, Flow flow) throws IOException {
        for (Addon addon : session.context().addons()) {
            try {
                addon.onResponseHead(flow);
            } catch (RuntimeException e) {
                session.fail(flow, 500, "addon " + addon.name() + " failed: " + e, FlowError.Kind.INTERNAL, true);
                return false;
            }
        }
        return true;
    }
}
