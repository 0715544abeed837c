package dev.wiretap.proxy;

import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.addon.RulesAddon;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The traffic rules added in code ({@link Wiretap#when}, {@link Wiretap#addRules}) beside the config's. What one call
 * added is a group, removed together through its {@link RuleHandle}; groups are tried newest first, before the
 * config's rules, so that a test's rule overrides its class's and the file's (within a group, rules keep their order).
 * Whenever anything changes, the rules addon gets the whole list at once; exchanges under way keep the rules they
 * started with. Thread-safe: the lock guards the groups, the config's rules and the order in which the addon sees
 * their changes.
 */
final class CodeRules {

    /** The rules one call added, numbered in the order of the calls. */
    private record Group(long number, List<Rule> rules) {
    }

    private final RulesAddon addon;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Group> groups = new ArrayList<>();
    private List<Rule> configured;
    private long numbers;

    CodeRules(RulesAddon addon, List<Rule> configured) {
        this.addon = addon;
        this.configured = List.copyOf(configured);
    }

    /** Adds {@code rules} as one group, newer than every one before; returns its handle. */
    RuleHandle add(List<Rule> rules) {
        lock.lock();
        try {
            Group group = new Group(++numbers, List.copyOf(rules));
            groups.add(group);
            push();
            return new RuleHandle(this, group.number(), group.rules());
        } finally {
            lock.unlock();
        }
    }

    /** Removes group {@code number}; false if it was gone already. */
    boolean remove(long number) {
        lock.lock();
        try {
            boolean removed = groups.removeIf(g -> g.number() == number);
            if (removed) {
                push();
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** The number of the newest group so far, for {@link #removeAfter}. */
    long mark() {
        lock.lock();
        try {
            return numbers;
        } finally {
            lock.unlock();
        }
    }

    /** Removes every group added after {@code mark} was taken. */
    void removeAfter(long mark) {
        lock.lock();
        try {
            if (groups.removeIf(g -> g.number() > mark)) {
                push();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Replaces the config's rules (a reload), keeping those added in code. */
    void setConfigured(List<Rule> rules) {
        lock.lock();
        try {
            configured = List.copyOf(rules);
            push();
        } finally {
            lock.unlock();
        }
    }

    /** The rules in force in the order they are tried: groups newest first, then the config's. Under the lock. */
    private void push() {
        List<Rule> all = new ArrayList<>();
        for (int i = groups.size() - 1; i >= 0; i--) {
            all.addAll(groups.get(i).rules());
        }
        all.addAll(configured);
        addon.setRules(all);
    }
}
