package dev.strata.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;

/**
 * Pax Exam options that boot the Strata distribution built by this reactor (by file URL, never
 * a stale copy from the local repository) on Java 17.
 */
final class KarafOptions {

    private KarafOptions() {
    }

    static String reactorRoot() {
        return System.getProperty("reactor.root");
    }

    static String version() {
        return System.getProperty("project.version");
    }

    /** A file in the reactor, checked to exist so a missing build step fails with its name. */
    static File reactorFile(String relative) {
        File file = new File(reactorRoot(), relative);
        if (!file.isFile()) {
            throw new IllegalStateException(file + " does not exist; build the reactor first (mvn verify from the root)");
        }
        return file;
    }

    static List<Option> strataDistribution() {
        String karafVersion = System.getProperty("karaf.version");
        File distribution = reactorFile("distribution/target/strata-distribution-" + version() + ".tar.gz");
        File reports = new File(reactorRoot(), "itests/target/reports");
        reports.mkdirs();
        String localRepo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        List<Option> options = new ArrayList<>(jdk17(karafVersion));
        options.add(karafDistributionConfiguration()
                .frameworkUrl(distribution.toURI().toString())
                .karafVersion(karafVersion)
                .name("Strata")
                .unpackDirectory(new File(reactorRoot(), "itests/target/exam"))
                .useDeployFolder(false));
        options.add(configureConsole().ignoreLocalConsole());
        if (Boolean.getBoolean("strata.itest.keep")) {
            options.add(keepRuntimeFolder());
        }
        options.add(logLevel(LogLevel.WARN));
        // injected services (BootFinished above all) may take minutes on a busy build machine; the default is 10 s
        options.add(systemProperty("pax.exam.service.timeout").value("300000"));
        // and the probe's extender waits this long for the probe invoker (default 10 s): past it the probe is never
        // registered and the test run hangs until the system timeout; seen once with another build beside it
        options.add(systemProperty("org.ops4j.pax.exam.raw.extender.intern.Parser.DEFAULT_TIMEOUT").value("300000"));
        // how long the test waits for the container to come up; the default (180 s) was once too short
        // for the full distribution on a 2-core machine with three builds running beside it
        options.add(org.ops4j.pax.exam.CoreOptions.systemTimeout(600_000));
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepo));
        options.add(systemProperty("strata.itest.reports").value(reports.getAbsolutePath()));
        options.add(systemProperty("strata.itest.baremetal.jar").value(
                reactorFile("provider-baremetal/target/provider-baremetal-" + version() + ".jar").getAbsolutePath()));
        options.add(systemProperty("strata.itest.nvidia.jar").value(
                reactorFile("provider-nvidia/target/provider-nvidia-" + version() + ".jar").getAbsolutePath()));
        options.add(systemProperty("strata.itest.openstack.jar").value(
                reactorFile("provider-openstack/target/provider-openstack-" + version() + ".jar").getAbsolutePath()));
        // under CI=true every peer must be there: tests that would skip without one fail instead
        options.add(systemProperty("strata.itest.ci").value(String.valueOf("true".equalsIgnoreCase(System.getenv("CI")))));
        // The all-in-one OpenStack, where one runs (see README, provider-openstack).
        String aio = System.getProperty("strata.openstack.aio", "");
        if (!aio.isBlank() && !aio.startsWith("${")) {
            options.add(systemProperty("strata.openstack.aio").value(aio));
        }
        return options;
    }

    /** The module flags bin/karaf passes on Java 9+, which Pax Exam's Karaf container does not. */
    private static List<Option> jdk17(String karafVersion) {
        List<Option> vm = new ArrayList<>();
        for (String flag : new String[] {
            "--add-reads=java.xml=java.logging",
            "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
            "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
            "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
            "--add-opens", "java.base/java.security=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
            "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
            "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
            "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
            "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
            "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"}) {
            vm.add(new VMOption(flag));
        }
        return vm;
    }
}
