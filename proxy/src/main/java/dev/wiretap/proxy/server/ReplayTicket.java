package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Flow;
import java.util.concurrent.CompletableFuture;

/**
 * A replay under way, handed to the session that serves it: the id of the flow whose request it sends again, and
 * the future that receives the new flow when it ends (or fails if the session ends without making one).
 */
record ReplayTicket(long originalId, CompletableFuture<Flow> result) {
}
