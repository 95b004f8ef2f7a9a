package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.ConsoleWords;
import dev.strata.platform.api.provider.ConfigurationRejections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration that held the tenant quotas before they moved into the state store
 * ({@code tenantQuotas} in {@code etc/dev.strata.platform.core.quotas.cfg}, PID {@value #PID}). Its
 * quotas are no longer read, and dropping them without a word would let every tenant through
 * unlimited: while it sets any, placement refuses (dry runs too), and the log and the provenance
 * log say which {@code strata:quota} commands set them in the store. An empty one (as the features
 * shipped) changes nothing. The component is there whether the file is or not (its configuration
 * optional), and placement needs it: placement starts only once a file found at start has been
 * read, and a file written or deleted later reaches {@link #modified}. Thread-safe.
 */
@Component(service = RetiredQuotaFile.class, immediate = true, configurationPid = RetiredQuotaFile.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class RetiredQuotaFile {

    public static final String PID = "dev.strata.platform.core.quotas";

    private static final Logger LOG = LoggerFactory.getLogger(RetiredQuotaFile.class);

    private volatile String refusal;

    /** Where the refusal is recorded, after Config Admin's record of the file. */
    private ConfigurationRejections rejections;

    /** The refusal last recorded; null for none. */
    private String recorded;

    @Activate
    public RetiredQuotaFile(Map<String, Object> properties) {
        read(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        read(properties);
    }

    /**
     * Binds where the refusal is recorded, and records the refusal not recorded yet: the file is
     * read in the constructor, before any reference is bound (and the recorder, which needs the
     * state store, may come later still), so a file found at start, the case of an upgrade, would
     * otherwise never be recorded.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindRejections(ConfigurationRejections r) {
        rejections = r;
        String now = refusal;
        if (now != null && !now.equals(recorded)) {
            record(now);
        }
    }

    synchronized void unbindRejections(ConfigurationRejections r) {
        if (rejections == r) {
            rejections = null;
        }
    }

    private synchronized void read(Map<String, Object> properties) {
        refusal = refusal(properties.get(TenantQuotas.PROPERTY));
        if (refusal != null) {
            LOG.error("{}", refusal);
            record(refusal);
        }
    }

    /** Records the refusal: placement refuses while the file sets quotas, so no settings before it stay in force. */
    private void record(String why) {
        if (rejections != null) {
            ConfigurationRejections.tell(rejections, PID, why, false);
            recorded = why;
        }
    }

    /** Why placement refuses, while the file sets quotas; empty when it sets none. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** Why placement refuses with {@code value} as the file's {@code tenantQuotas}, with the commands that set them in the store; null for none. */
    static String refusal(Object value) {
        String written = value == null ? "" : value.toString();
        if (written.isBlank()) {
            return null;
        }
        String instead;
        try {
            List<String> commands = new ArrayList<>();
            TenantQuotas.parse(PID, written).all().forEach((tenant, l) -> {
                StringBuilder c = new StringBuilder("strata:quota ").append(Shell.tenant(tenant));
                TenantQuotas.stated(l).forEach((resource, amount) -> c.append(' ').append(resource).append('=')
                        .append(amountAsWritten(resource, l)));
                commands.add(c.toString());
            });
            instead = "run " + String.join("; ", commands) + ", then delete the file (config:delete " + PID + ")";
        } catch (InvalidConfigurationException e) {
            instead = "set the quotas with strata:quota TENANT gpus=N cpu=N memory=N, then delete the file (config:delete " + PID + "); "
                    + "it could not be read either: " + e.getMessage();
        }
        return "etc/" + PID + ".cfg sets tenantQuotas, which Strata no longer reads: tenant quotas are kept in the state store, the "
                + "same for every instance, and placement refuses until the file sets none: " + instead;
    }

    /** A limit as strata:quota takes it: GPUs and CPUs as decimals or thousandths, memory in its largest whole binary unit. */
    private static String amountAsWritten(String resource, TenantQuotas.Limits l) {
        return switch (resource) {
            case "gpus" -> java.math.BigDecimal.valueOf(l.gpuMilli(), 3).stripTrailingZeros().toPlainString();
            case "cpu" -> l.cpuMilli() % 1000 == 0 ? Long.toString(l.cpuMilli() / 1000) : l.cpuMilli() + "m";
            default -> TenantQuotas.memory(l.memoryBytes()).replace(" ", "");
        };
    }

    /** How a word is written so that Karaf's shell reads it back whole ({@link ConsoleWords#quoted}). */
    static final class Shell {
        /**
         * The tenant as strata:quota's first word, or after {@code --tenant} where it starts with
         * {@code -}: Karaf reads every word starting with {@code -} before the first argument as an
         * option (quoted or not), and refuses one it does not know. A tenant id has no control
         * characters, so no line break, which could not be written.
         */
        static String tenant(String id) {
            return (id.startsWith("-") ? "--tenant " : "") + ConsoleWords.quoted(id);
        }
    }
}
