import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * bin/fuzz's JVM: runs one fuzz target class (its @FuzzTest) on the JUnit Platform, with the test classpath bin/fuzz
 * computed once, so that no build tool runs beside the fuzzer. Jazzer fuzzes because bin/fuzz sets JAZZER_FUZZ; its
 * settings (jazzer.*, and libFuzzer's arguments as jazzer.internal.arg.N) come as system properties, which JUnit reads
 * as configuration parameters. Exits 0 when the target found nothing, 1 otherwise.
 */
public class RunFuzzTest {
    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(args[0])).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 40);
        System.exit(summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() > 0 ? 0 : 1);
    }
}
