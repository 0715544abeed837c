package dev.wiretap.config.rule;

import dev.wiretap.config.filter.Filter;
import java.util.List;
import java.util.Objects;

/**
 * One traffic rule: a name (for logs and the console; made from its position when the user gives none), the filter
 * that selects the exchanges it applies to, and its actions, applied in order. Rules apply in file order. Immutable.
 */
public record Rule(String name, Filter match, List<RuleAction> actions) {

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        actions = List.copyOf(actions);
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("rule '" + name + "' has no actions");
        }
    }
}
