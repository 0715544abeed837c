package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.event.FlowEvents;
import dev.wiretap.proxy.live.FlowPublisher;
import dev.wiretap.proxy.live.LiveFlow;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The flow users see is a view: what {@code Flow} offers besides reading is what an addon may do, and the engine's
 * writers live in a package the module does not export. (That a user's module cannot reach that package is shown by
 * the junit module's {@code ModulePathConsumerTest}, which compiles one.)
 */
class FlowViewTest {

    /** What an addon may do to a flow (Addon's hooks say when); everything else on Flow reads. */
    private static final Set<String> ADDON_ACTIONS = Set.of("hold", "drop", "addNote", "setAnswer");

    @Test
    void theUsersFlowOffersNoWriterButTheAddonsActions() {
        Set<String> writers = Arrays.stream(Flow.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getReturnType() == void.class || m.getName().startsWith("set")
                        || m.getName().startsWith("mark") || m.getName().startsWith("add"))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(ADDON_ACTIONS), writers);
    }

    @Test
    void aFlowAndTheEventsAreAlwaysTheEngines() {
        assertTrue(Flow.class.isSealed());
        assertEquals(List.of(LiveFlow.class), List.of(Flow.class.getPermittedSubclasses()));
        assertTrue(FlowEvents.class.isSealed());
        assertEquals(List.of(FlowPublisher.class), List.of(FlowEvents.class.getPermittedSubclasses()));
        assertFalse(Modifier.isPublic(methodNamed(FlowEvents.class, "publish").getModifiers()),
                "users add and remove listeners; only the engine publishes");
    }

    @Test
    void theEnginesPackageIsNotExported() {
        ModuleDescriptor module = Flow.class.getModule().getDescriptor();
        Set<String> exported = module.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertTrue(exported.contains("dev.wiretap.proxy.flow"), exported::toString);
        assertFalse(module.exports().stream().anyMatch(e -> e.source().equals(LiveFlow.class.getPackageName())),
                exported::toString);
    }

    private static Method methodNamed(Class<?> type, String name) {
        return Arrays.stream(type.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }
}
