package dev.wiretap.config;

import java.util.Map;
import java.util.Optional;

/**
 * Which upstream proxy, if any, each request goes through: none (straight to origins), one proxy for everything
 * ({@code --upstream-proxy URL}), or the proxies the environment names ({@code --upstream-proxy env}: {@code
 * http_proxy} for plain HTTP, {@code https_proxy} for HTTPS and every other CONNECT tunnel, except for the hosts in
 * {@code no_proxy} and loopback hosts). Immutable.
 */
public sealed interface UpstreamProxies {

    /** Straight to origins. */
    UpstreamProxies NONE = new None();

    /** The word that asks for the environment's proxies, in the config file and on the command line. */
    String ENVIRONMENT = "env";

    /**
     * The proxy that a request to {@code host:port} goes through, if any.
     *
     * @param scheme {@code http} for a plain request; anything else ({@code https}, a tunnel) is reached with CONNECT
     */
    Optional<UpstreamProxy> proxyFor(String scheme, String host, int port);

    default boolean isEmpty() {
        return this instanceof None;
    }

    /**
     * The value as a config file writes it, credentials included: for handing a flag on to the config loader, never
     * for showing ({@link #toString()} hides passwords).
     */
    String configValue();

    /** One proxy, or none for null. */
    static UpstreamProxies of(UpstreamProxy proxy) {
        return proxy == null ? NONE : new Fixed(proxy);
    }

    /**
     * Parses a config value: empty for none, {@code env} for the environment's proxies (read from {@code env} now), else
     * a proxy URL ({@link UpstreamProxy#parse}). Faults are IllegalArgumentExceptions that never show a password.
     */
    static UpstreamProxies parse(String text, Map<String, String> env) {
        String s = text.strip();
        if (s.isEmpty()) {
            return NONE;
        }
        if (s.equalsIgnoreCase(ENVIRONMENT)) {
            return Environment.read(env);
        }
        return new Fixed(UpstreamProxy.parse(s));
    }

    /** No upstream proxy. */
    record None() implements UpstreamProxies {
        @Override
        public Optional<UpstreamProxy> proxyFor(String scheme, String host, int port) {
            return Optional.empty();
        }

        @Override
        public String configValue() {
            return "";
        }

        @Override
        public String toString() {
            return "";
        }
    }

    /** Everything through {@code proxy}. */
    record Fixed(UpstreamProxy proxy) implements UpstreamProxies {
        public Fixed {
            if (proxy == null) {
                throw new IllegalArgumentException("upstream proxy is missing");
            }
        }

        @Override
        public Optional<UpstreamProxy> proxyFor(String scheme, String host, int port) {
            return Optional.of(proxy);
        }

        @Override
        public String configValue() {
            return proxy.url();
        }

        @Override
        public String toString() {
            return proxy.toString();
        }
    }

    /**
     * The environment's proxies, as read at start: {@code http} for plain requests, {@code https} for the rest; hosts
     * that {@code noProxy} names, and loopback hosts, go directly (as Go's and Chromium's proxy settings do: the
     * company proxy's localhost is not yours).
     */
    record Environment(Optional<UpstreamProxy> http, Optional<UpstreamProxy> https, NoProxy noProxy) implements UpstreamProxies {

        public Environment {
            if (http == null || https == null || noProxy == null) {
                throw new IllegalArgumentException("http, https and noProxy may be empty but not missing");
            }
        }

        /**
         * Reads {@code http_proxy}, {@code https_proxy} and {@code no_proxy} (each in lower case, else upper case, as
         * curl and Python do). A value without a scheme is taken as {@code http://} (as curl takes it); a value that
         * cannot be read is an IllegalArgumentException naming the variable.
         */
        static Environment read(Map<String, String> env) {
            return new Environment(proxy(env, "http_proxy"), proxy(env, "https_proxy"), noProxy(env));
        }

        private static Optional<UpstreamProxy> proxy(Map<String, String> env, String name) {
            Optional<Variable> v = variable(env, name);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            String value = v.get().value();
            try {
                return Optional.of(UpstreamProxy.parse(value.contains("://") ? value : "http://" + value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(v.get().name() + " from the environment: " + e.getMessage());
            }
        }

        private static NoProxy noProxy(Map<String, String> env) {
            Optional<Variable> v = variable(env, "no_proxy");
            try {
                return v.map(variable -> new NoProxy(variable.value())).orElse(NoProxy.NONE);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(v.get().name() + " from the environment: " + e.getMessage());
            }
        }

        private record Variable(String name, String value) {
        }

        private static Optional<Variable> variable(Map<String, String> env, String lower) {
            for (String name : new String[] {lower, lower.toUpperCase(java.util.Locale.ROOT)}) {
                String value = env.get(name);
                if (value != null && !value.isBlank()) {
                    return Optional.of(new Variable(name, value.strip()));
                }
            }
            return Optional.empty();
        }

        @Override
        public Optional<UpstreamProxy> proxyFor(String scheme, String host, int port) {
            if (IpAddress.isLoopback(host) || noProxy.matches(host, port)) {
                return Optional.empty();
            }
            return scheme.equals("http") ? http : https;
        }

        @Override
        public String configValue() {
            return ENVIRONMENT;
        }

        /** {@code env}: the config value; {@link #describe()} says what it found. */
        @Override
        public String toString() {
            return ENVIRONMENT;
        }

        /**
         * What was found, passwords hidden: {@code http: http://proxy.corp:3128, https: http://proxy.corp:3128;
         * directly: loopback, no_proxy .corp,10.0.0.0/8}.
         */
        public String describe() {
            if (http.isEmpty() && https.isEmpty()) {
                return "no http_proxy or https_proxy in the environment: straight to origins";
            }
            return "http: " + http.map(UpstreamProxy::toString).orElse("direct") + ", https: "
                    + https.map(UpstreamProxy::toString).orElse("direct") + "; directly: loopback hosts"
                    + (noProxy.isEmpty() ? "" : ", no_proxy " + noProxy);
        }
    }
}
