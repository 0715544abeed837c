package dev.wiretap.proxy.addon;

import dev.wiretap.proxy.flow.Flow;
import java.time.Instant;

/**
 * A flow waiting at an intercept, as {@link InterceptAddon#paused()} lists it. The flow is the live object: while it
 * waits its connection thread is parked, so reading it is safe; change it only through the addon
 * ({@code replaceRequest}, {@code replaceResponse}).
 *
 * @param flow         the waiting flow
 * @param side         the message it waits at: its request (nothing sent upstream yet) or its response (nothing
 *                     sent to the client yet)
 * @param since        when it began to wait
 * @param deadline     when it goes on by itself (the intercept timeout)
 * @param bodyEditable whether that message's body is in memory whole and may be replaced; if not (larger than the
 *                     capture cap), only its head can be edited and the body goes on as it comes
 * @param edited       whether the user has edited it while it waits
 */
public record PausedFlow(Flow flow, Flow.Side side, Instant since, Instant deadline, boolean bodyEditable, boolean edited) {
}
