package dev.strata.platform.core.store;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One private PostgreSQL cluster ({@link PostgresCluster#start}) for a test class: started before
 * the class's first test and given to its static fields of type {@link PostgresCluster}, stopped
 * after its last. Without PostgreSQL's binaries the class is skipped, or fails under {@code CI=true},
 * as {@link PostgresCluster#start} says. A class's {@code @Nested} classes, which inherit the
 * extension, use the enclosing class's cluster: they declare no such field, and start none.
 *
 * <pre>
 * &#64;ExtendWith(PostgresClusterExtension.class)
 * class SomePostgresTest {
 *     static PostgresCluster pg;
 * </pre>
 */
public final class PostgresClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> testClass = context.getRequiredTestClass();
        List<Field> fields = clusterFields(testClass);
        if (fields.isEmpty()) {
            if (isNested(testClass)) {
                return;
            }
            throw new ExtensionConfigurationException(testClass.getName() + " uses " + PostgresClusterExtension.class.getSimpleName()
                    + " but declares no static field of type " + PostgresCluster.class.getSimpleName() + " to receive the cluster");
        }
        PostgresCluster pg = PostgresCluster.start();
        context.getStore(NAMESPACE).put(testClass, pg);
        for (Field f : fields) {
            f.set(null, pg);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Class<?> testClass = context.getRequiredTestClass();
        PostgresCluster pg = context.getStore(NAMESPACE).remove(testClass, PostgresCluster.class);
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } finally {
            for (Field f : clusterFields(testClass)) {
                f.set(null, null);
            }
        }
    }

    /** The static fields of type {@link PostgresCluster} that {@code testClass} declares, made accessible. */
    private static List<Field> clusterFields(Class<?> testClass) {
        List<Field> out = new ArrayList<>();
        for (Field f : testClass.getDeclaredFields()) {
            if (f.getType() == PostgresCluster.class && Modifier.isStatic(f.getModifiers())) {
                if (Modifier.isFinal(f.getModifiers())) {
                    throw new ExtensionConfigurationException(testClass.getName() + "." + f.getName() + " is final; "
                            + PostgresClusterExtension.class.getSimpleName() + " assigns the cluster to it, so it must not be");
                }
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }

    private static boolean isNested(Class<?> testClass) {
        return testClass.getEnclosingClass() != null && !Modifier.isStatic(testClass.getModifiers());
    }
}
