package dev.wiretap.proxy;

import dev.wiretap.config.HostMap;
import dev.wiretap.proxy.addon.ServerReplay;
import dev.wiretap.proxy.upstream.HostRemap;
import java.util.Optional;

/**
 * What was in force when {@link Wiretap#checkpoint()} was taken, to go back to: {@link #restore()} removes the rules
 * added in code since, undoes the host mappings made since ({@link Wiretap#resolve}), and puts back the server replay
 * that was in force (none, or another). The config's rules and the flows are left as they are. What the JUnit extension
 * does after each test, so that a test's rules are gone after it; any test runner can do the same. Immutable.
 */
public final class Checkpoint {

    private final CodeRules rules;
    private final long rulesMark;
    private final HostRemap remap;
    private final HostMap hosts;
    private final ServerReplay replay;
    private final Optional<ServerReplay.Running> replaying;

    Checkpoint(CodeRules rules, HostRemap remap, ServerReplay replay) {
        this.rules = rules;
        this.rulesMark = rules.mark();
        this.remap = remap;
        this.hosts = remap.current();
        this.replay = replay;
        this.replaying = replay.running();
    }

    /** Goes back to what was in force at the checkpoint, for exchanges whose request arrives from now on. */
    public void restore() {
        rules.removeAfter(rulesMark);
        remap.restore(hosts);
        replaying.ifPresentOrElse(replay::start, replay::stop);
    }
}
