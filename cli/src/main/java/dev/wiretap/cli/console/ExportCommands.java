package dev.wiretap.cli.console;

import dev.wiretap.cli.Plural;
import dev.wiretap.proxy.export.BodyFile;
import dev.wiretap.proxy.export.CurlCommand;
import dev.wiretap.proxy.export.FlowImport;
import dev.wiretap.proxy.export.HarWriter;
import dev.wiretap.proxy.export.SessionFile;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jline.utils.AttributedString;

/**
 * The commands that take flows out of wiretap and back in: {@code curl}, {@code export har}, {@code save} (a session
 * file, or one body with {@code save body}) and {@code load} (a session file or a HAR). Run on the console's thread.
 */
final class ExportCommands {

    /** Rows a {@code load} lists at most: the newest of the flows it loaded. */
    private static final int MAX_LOADED_ROWS = 200;

    private final Wiretap wiretap;
    private final ViewCommands view;
    private final FlowFeed feed;
    private final Screen screen;

    ExportCommands(Wiretap wiretap, ViewCommands view, FlowFeed feed, Screen screen) {
        this.wiretap = wiretap;
        this.view = view;
        this.feed = feed;
        this.screen = screen;
    }

    void addTo(CommandTable table) {
        table.add(new ConsoleCommand("curl", List.of("c"), "curl [-x] [-k] [-1] N [--to FILE]", "a curl command line that sends flow N's request again",
                """
                Prints a curl command (for bash or zsh) that sends flow N's request straight to the origin: method, URL,
                fields in order (hop-by-hop ones left out), and the body, quoted, or piped in with printf when binary
                or large. A note says when the body was cut at the capture cap.
                  -x         through wiretap (curl -x), so that the resend shows here as a new flow; for an https URL
                             curl trusts wiretap's CA (--cacert) when wiretap decrypts that host
                  -k         curl accepts any certificate (curl -k): for origins whose CA curl does not know
                  -1         all on one line, without comments or line continuations, to paste whole
                  --to FILE  write the command to FILE (readable by you alone) instead of printing it
                  curl -x 12
                  curl -1k 12 --to /tmp/resend.sh
                """, ConsoleCommand.Argument.FLOW, this::curl));
        table.add(new ConsoleCommand("export", List.of(), "export har FILE [EXPR]", "write flows to a HAR file",
                """
                Writes the recorded flows that pass EXPR (default: the view's filter) to FILE as HAR 1.2, with timings;
                Chrome's and Firefox's network panels import it. Flows in flight and CONNECT tunnels are left out;
                a body cut at the capture cap is noted in a comment. The file is readable by you alone.
                  export har /tmp/api.har host:api.example.com
                """, ConsoleCommand.Argument.FILE, this::export));
        table.add(new ConsoleCommand("save", List.of(), "save [body N [request]] FILE",
                "the recorded flows to a session file; or one body, decoded",
                """
                save FILE writes every recorded flow that has finished to FILE, wiretap's own session format (load reads
                it back). save body N FILE writes flow N's response body to FILE as its content, decoded (gzip,
                deflate, br, zstd undone): an image as the image, JSON as the JSON; save body N request FILE writes
                its request body. A body cut at the capture cap is written as far as it was captured, and says so.
                (A session file named body: save ./body.)
                  save body 12 /tmp/logo.png
                  save body 7 request upload.json
                """, ConsoleCommand.Argument.FILE, this::save));
        table.add(new ConsoleCommand("load", List.of(), "load FILE", "read flows from a session file or a HAR file",
                """
                Adds the flows of a session file (from save) or of a HAR file (Chrome's or Firefox's network panel,
                export har, any HAR 1.2) to this session, numbered after the flows already here, and lists them; the
                file's content tells which kind it is, not its name. A note on each says where it came from. show,
                curl, replay, mock and export work on them as on any flow. Bodies are kept up to the capture cap; what
                a HAR cannot say as wiretap does (HTTP/2, a body stored decoded) is noted on the flow. Entries or
                flows that cannot be read are skipped, each named.
                  load ~/Downloads/shop.example.har
                """, ConsoleCommand.Argument.FILE, this::load));
    }

    private void curl(String argument) throws CommandException {
        CurlArguments typed = CurlArguments.parse(argument);
        Flow flow = view.flow(typed.flow());
        CurlCommand curl;
        try {
            Optional<CurlCommand.Proxy> proxy = typed.throughWiretap() ? Optional.of(CurlCommand.Proxy.of(wiretap, flow.request())) : Optional.empty();
            curl = CurlCommand.of(flow.request(), new CurlCommand.Options(proxy, typed.insecure(), typed.oneLine()));
        } catch (IllegalArgumentException e) {
            throw new CommandException("no curl command for flow " + flow.id() + ": " + e.getMessage());
        }
        if (typed.file().isPresent()) {
            Path file = path(typed.file().get());
            try {
                curl.write(file);
            } catch (IOException e) {
                throw new CommandException(e.getMessage());
            }
            screen.notice("wrote the curl command for flow " + flow.id() + " to " + file);
        } else {
            // Printed whole, never cut to the terminal's width: it is there to be copied.
            for (String line : curl.text().split("\n", -1)) {
                screen.println(line);
            }
        }
        curl.notes().forEach(screen::notice);
    }

    private void export(String argument) throws CommandException {
        String[] words = argument.split("\\s+", 3);
        if (words.length < 2 || !words[0].equals("har") || words[1].isEmpty()) {
            throw new CommandException("usage: export har FILE [EXPR]");
        }
        Filter filter = feed.view();
        if (words.length == 3) {
            try {
                filter = Filter.parse(words[2]);
            } catch (FilterException e) {
                throw new CommandException(ViewCommands.pointAt(words[2], e));
            }
        }
        Path file = path(words[1]);
        try {
            HarWriter.Summary summary = HarWriter.write(file, wiretap.history().inOrder(), filter, "");
            screen.notice("wrote " + Plural.count(summary.entries(), "flow") + " to " + file
                    + (summary.inFlight() > 0 ? " (" + summary.inFlight() + " in flight left out)" : ""));
            summary.failures().forEach(failure -> screen.error("left out of the HAR: " + failure));
        } catch (IOException | RuntimeException e) {
            throw new CommandException("export failed: " + e.getMessage());
        }
    }

    private void save(String argument) throws CommandException {
        if (argument.isEmpty()) {
            throw new CommandException("usage: save FILE, or save body N [request|response] FILE");
        }
        if (argument.equals("body") || argument.startsWith("body ")) {
            saveBody(argument.substring(4).strip());
            return;
        }
        Path file = path(argument);
        try {
            SessionFile.Saved saved = SessionFile.write(file, wiretap.history().inOrder());
            screen.notice("saved " + Plural.count(saved.flows(), "flow") + " to " + file
                    + (saved.inFlight() > 0 ? " (" + saved.inFlight() + " in flight left out)" : ""));
        } catch (IOException | RuntimeException e) {
            throw new CommandException("save failed: " + e.getMessage());
        }
    }

    /** {@code N [request|response] FILE}: one body, decoded, to a file. */
    private void saveBody(String argument) throws CommandException {
        String usage = "usage: save body N [request|response] FILE";
        String[] words = argument.split("\\s+", 2);
        if (words.length < 2 || words[0].isEmpty()) {
            throw new CommandException(usage);
        }
        Flow flow = view.flow(words[0]);
        String rest = words[1].strip();
        boolean request = false;
        String[] side = rest.split("\\s+", 2);
        if (side.length == 2 && (side[0].equals("request") || side[0].equals("response"))) {
            request = side[0].equals("request");
            rest = side[1].strip();
        }
        if (rest.isEmpty()) {
            throw new CommandException(usage);
        }
        String what = "flow " + flow.id() + "'s " + (request ? "request" : "response");
        Headers headers;
        Body body;
        if (request) {
            headers = flow.request().headers();
            body = flow.request().body();
        } else {
            Response response = flow.response().orElseThrow(() -> new CommandException(what + ": there is none"
                    + (flow.isDone() ? "" : " yet")));
            headers = response.headers();
            body = response.body();
        }
        if (body.isEmpty()) {
            throw new CommandException(what + " has no body; nothing written");
        }
        Path file = path(rest);
        try {
            BodyFile.Saved saved = BodyFile.write(file, headers, body);
            screen.notice("wrote " + what + " body to " + file + " (" + saved.bytes() + " bytes)");
            saved.notes().forEach(screen::notice);
        } catch (IOException | RuntimeException e) {
            throw new CommandException("save failed: " + e.getMessage());
        }
    }

    private void load(String argument) throws CommandException {
        if (argument.isEmpty()) {
            throw new CommandException("usage: load FILE");
        }
        Path file = path(argument);
        // The rows of the newest flows shown, no more than a screen holds: a file may hold far more flows than the heap.
        ArrayDeque<AttributedString> rows = new ArrayDeque<>(MAX_LOADED_ROWS);
        long[] ids = {0, 0};
        FlowImport.Loaded loaded;
        try {
            loaded = FlowImport.load(file, wiretap, flow -> {
                ids[0] = ids[0] == 0 ? flow.id() : ids[0];
                ids[1] = flow.id();
                if (feed.isShown(flow)) {
                    for (AttributedString row : FlowRow.of(flow).render(screen.width())) {
                        if (rows.size() == MAX_LOADED_ROWS) {
                            rows.removeFirst();
                        }
                        rows.addLast(row);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new CommandException("load failed: " + e.getMessage());
        }
        loaded.warnings().forEach(screen::error);
        if (!rows.isEmpty()) {
            screen.print(new ArrayList<>(rows));
        }
        String what = loaded.format() == FlowImport.Format.HAR
                ? " (a HAR file" + (loaded.source().isEmpty() ? "" : " by " + loaded.source()) + ")" : "";
        screen.notice("loaded " + Plural.count(loaded.flows(), "flow") + " from " + file + what + (loaded.flows() == 0 ? ""
                : ", now numbered " + ids[0] + " to " + ids[1]));
    }

    /** A path as typed: {@code ~/} is the home directory. */
    private static Path path(String typed) {
        String t = typed.strip();
        if (t.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), t.substring(2));
        }
        return Path.of(t);
    }
}
