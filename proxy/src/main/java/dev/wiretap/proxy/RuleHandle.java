package dev.wiretap.proxy;

import dev.wiretap.config.rule.Rule;
import java.util.List;

/**
 * The rules one call added in code ({@link Wiretap#when}, {@link Wiretap#addRules}): {@link #remove()} takes them out
 * again, for exchanges whose request arrives after it. Removing twice does nothing. Thread-safe.
 */
public final class RuleHandle {

    private final CodeRules owner;
    private final long number;
    private final List<Rule> rules;

    RuleHandle(CodeRules owner, long number, List<Rule> rules) {
        this.owner = owner;
        this.number = number;
        this.rules = rules;
    }

    /** The rules this handle stands for, as they apply (their names are what flows' {@code appliedRules} list). */
    public List<Rule> rules() {
        return rules;
    }

    /** The first rule's name: for a rule added with {@code when}, {@code when FILTER: ACTION}. */
    public String name() {
        return rules.isEmpty() ? "" : rules.get(0).name();
    }

    /** Takes the rules out; returns false if they were out already. */
    public boolean remove() {
        return owner.remove(number);
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
