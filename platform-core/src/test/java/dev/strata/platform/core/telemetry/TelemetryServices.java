package dev.strata.platform.core.telemetry;

import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import java.time.Duration;

/** The core's merged telemetry view for the tests of its callers in other packages: built and stopped as Declarative Services would. */
public final class TelemetryServices {

    private TelemetryServices() {
    }

    /** The merged view of {@code sources}, each call waiting at most {@code deadline} for them. */
    public static TelemetryService of(Duration deadline, GpuTelemetrySource... sources) {
        TelemetryService telemetry = new TelemetryService(deadline);
        for (GpuTelemetrySource source : sources) {
            telemetry.addSource(source);
        }
        return telemetry;
    }

    /** Stops its call threads, as its deactivation does. */
    public static void stop(TelemetryService telemetry) {
        telemetry.deactivate();
    }

    /** Whether the view holds a call still in the source, or the source as hung. */
    public static boolean tracksAsHung(TelemetryService telemetry, GpuTelemetrySource source) {
        return telemetry.tracksAsHung(source);
    }
}
