package dev.wiretap.proxy.export;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Cookies as HAR 1.2 lists them: those a request sends (its Cookie fields, RFC 6265 section 5.4) and those a
 * response sets (each Set-Cookie field with its attributes, section 5.2). Read leniently: a malformed pair is left
 * out, an unreadable date leaves {@code expires} out. Stateless.
 */
final class HarCookies {

    /** One cookie; {@code expires} is empty for a session cookie, the booleans false when the attribute is absent. */
    record Cookie(String name, String value, String path, String domain, Optional<Instant> expires, boolean httpOnly,
                  boolean secure) {
    }

    private HarCookies() {
    }

    /** The name=value pairs of Cookie field values. */
    static List<Cookie> sent(List<String> cookieFields) {
        List<Cookie> cookies = new ArrayList<>();
        for (String field : cookieFields) {
            for (String pair : field.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    cookies.add(new Cookie(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim(), "", "",
                            Optional.empty(), false, false));
                }
            }
        }
        return cookies;
    }

    /** The cookies Set-Cookie field values set; Max-Age counts from {@code received} and wins over Expires. */
    static List<Cookie> set(List<String> setCookieFields, Instant received) {
        List<Cookie> cookies = new ArrayList<>();
        for (String field : setCookieFields) {
            String[] parts = field.split(";");
            int eq = parts[0].indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String path = "";
            String domain = "";
            Optional<Instant> expires = Optional.empty();
            Optional<Instant> maxAge = Optional.empty();
            boolean httpOnly = false;
            boolean secure = false;
            for (int i = 1; i < parts.length; i++) {
                String attribute = parts[i].trim();
                int aeq = attribute.indexOf('=');
                String key = (aeq < 0 ? attribute : attribute.substring(0, aeq)).trim().toLowerCase(Locale.ROOT);
                String value = aeq < 0 ? "" : attribute.substring(aeq + 1).trim();
                switch (key) {
                    case "path" -> path = value;
                    case "domain" -> domain = value;
                    case "expires" -> expires = date(value);
                    case "max-age" -> maxAge = maxAge(value, received);
                    case "httponly" -> httpOnly = true;
                    case "secure" -> secure = true;
                    default -> { }
                }
            }
            cookies.add(new Cookie(parts[0].substring(0, eq).trim(), parts[0].substring(eq + 1).trim(), path, domain,
                    maxAge.isPresent() ? maxAge : expires, httpOnly, secure));
        }
        return cookies;
    }

    /** An HTTP date (RFC 1123), or the old Netscape form with dashes ({@code Wed, 21-Oct-2015 07:28:00 GMT}). */
    private static Optional<Instant> date(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.replace('-', ' '), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty(); // an odd date format: the cookie is listed without its expiry
        }
    }

    private static Optional<Instant> maxAge(String value, Instant received) {
        try {
            return Optional.of(received.plusSeconds(Long.parseLong(value)));
        } catch (NumberFormatException | java.time.DateTimeException | ArithmeticException e) {
            return Optional.empty(); // not a number, or a date past what an Instant holds: no expiry to list
        }
    }
}
