package dev.wiretap.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.module.ModuleReader;
import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The engine's exported API names only exported types: a public or protected member of a public type in an exported
 * package takes and returns types that a user's module can name (the JDK's, or a package some module exports to
 * everyone). An unexported type there (as {@code Wiretap.certificateAuthority()} once returned the engine's
 * {@code CertificateAuthority}) is one a user can hold but not name.
 */
class ExportedSignaturesTest {

    @Test
    void exportedSignaturesNameOnlyExportedTypes() throws IOException {
        Module proxy = Wiretap.class.getModule();
        List<String> classes;
        try (ModuleReader reader = proxy.getLayer().configuration().findModule(proxy.getName()).orElseThrow()
                .reference().open()) {
            classes = reader.list().filter(name -> name.endsWith(".class") && !name.endsWith("module-info.class")).toList();
        }
        TreeSet<String> leaks = new TreeSet<>();
        for (String file : classes) {
            String name = file.substring(0, file.length() - ".class".length()).replace('/', '.');
            String pkg = name.substring(0, name.lastIndexOf('.'));
            if (!proxy.isExported(pkg)) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(name, false, Wiretap.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(name, e);
            }
            if (!isVisible(type)) {
                continue;
            }
            List<Executable> members = new ArrayList<>(List.of(type.getDeclaredConstructors()));
            members.addAll(List.of(type.getDeclaredMethods()));
            for (Executable member : members) {
                if (!isApi(member.getModifiers()) || member.isSynthetic()) {
                    continue;
                }
                List<Type> named = new ArrayList<>(List.of(member.getGenericParameterTypes()));
                if (member instanceof Method method) {
                    named.add(method.getGenericReturnType());
                }
                for (Type t : named) {
                    unexported(t, leaks, type.getName() + "." + member.getName());
                }
            }
        }
        assertEquals(new TreeSet<>(), leaks);
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            if (!Modifier.isPublic(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isApi(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void unexported(Type type, TreeSet<String> leaks, String where) {
        switch (type) {
            case Class<?> c when c.isArray() -> unexported(c.getComponentType(), leaks, where);
            case Class<?> c -> {
                if (!c.isPrimitive() && c.getModule().isNamed() && !c.getModule().isExported(c.getPackageName())) {
                    leaks.add(where + " names " + c.getName());
                }
            }
            case ParameterizedType p -> {
                unexported(p.getRawType(), leaks, where);
                for (Type argument : p.getActualTypeArguments()) {
                    unexported(argument, leaks, where);
                }
            }
            case GenericArrayType a -> unexported(a.getGenericComponentType(), leaks, where);
            case WildcardType w -> {
                for (Type bound : w.getUpperBounds()) {
                    unexported(bound, leaks, where);
                }
            }
            default -> { // a type variable: its bounds are declared where it is, and checked there if they matter
            }
        }
    }
}
