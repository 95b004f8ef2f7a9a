package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * Which properties of a configuration no component reads, and which declared property each most
 * likely misspells. The lookup of what a component declares goes through the framework's MetaType
 * service, and is tested in the distribution ({@code StrataDistributionIT}).
 */
class UnknownPropertiesTest {

    private static final Set<String> METRICS = Set.of("tokenFile");
    private static final Set<String> AWS = Set.of(".secretAccessKey", "accessKeyId", "regions", "requestTimeout", "strata.provider.id",
            "quotas", "defaultQuota");

    @Test
    void propertiesNoComponentDeclaresAreUnknownAndTheFrameworksBookkeepingIsNot() {
        assertThat(UnknownProperties.of(List.of("tokenFil", "tokenFile", "felix.fileinstall.filename", "service.pid", "service.factoryPid",
                "component.name", "org.apache.karaf.features.configKey", ":org.apache.felix.configadmin.revision:", "colour"), METRICS))
                .containsExactly("colour", "tokenFil");
        assertThat(UnknownProperties.of(List.of("tokenFile"), METRICS)).isEmpty();
        assertThat(UnknownProperties.of(List.of(".secretAccessKey", "secretAccessKey", "strata.provider.id", "strata_provider_id"), AWS))
                .as("the names as the metatype declares them, not as the annotation's methods are spelt")
                .containsExactly("secretAccessKey", "strata_provider_id");
    }

    @Test
    void eachUnknownPropertyIsNamedWithTheDeclaredOneItMostLikelyMisspells() {
        assertThat(UnknownProperties.describe(List.of("tokenFil"), METRICS)).isEqualTo("tokenFil (did you mean tokenFile?)");
        assertThat(UnknownProperties.describe(List.of("tokenfile", "colour"), METRICS)).isEqualTo("tokenfile (did you mean tokenFile?), colour");
        assertThat(UnknownProperties.describe(List.of("region", "requestTimout", "defaultQuotas", "secretAccessKey"), AWS))
                .isEqualTo("region (did you mean regions?), requestTimout (did you mean requestTimeout?), defaultQuotas (did you mean "
                        + "defaultQuota?), secretAccessKey (did you mean .secretAccessKey?)");
        assertThat(UnknownProperties.describe(List.of("token\nFile"), METRICS)).as("a line break in a name does not reach the log as one")
                .doesNotContain("\n").startsWith("token");
        assertThat(UnknownProperties.suggestion("qutoas", AWS)).as("two neighbours swapped is one edit").contains("quotas");
        assertThat(UnknownProperties.suggestion("file", METRICS)).as("nothing near").isEmpty();
        assertThat(UnknownProperties.suggestion("x", Set.of("y"))).as("a short name allows one edit").contains("y");
        assertThat(UnknownProperties.suggestion("ab", Set.of("cd"))).isEmpty();
    }

    /**
     * What a configuration's component declares is found in the metatype of the started Strata
     * bundle that declares its PID, or its factory PID for a factory configuration (a BMC's
     * {@code dev.strata.provider.bmc~rack1}); nothing is said where no started Strata bundle
     * declares it. The framework's objects are stand-ins built from interfaces here; the
     * distribution test reads the real ones.
     */
    @Test
    void whatAComponentDeclaresIsFoundByItsPidOrItsFactoryPidInAStartedStrataBundle() {
        org.osgi.framework.Bundle bmc = bundle("dev.strata.provider.baremetal", org.osgi.framework.Bundle.ACTIVE);
        org.osgi.framework.Bundle resolved = bundle("dev.strata.provider.aws", org.osgi.framework.Bundle.RESOLVED);
        org.osgi.framework.Bundle other = bundle("org.example.other", org.osgi.framework.Bundle.ACTIVE);
        org.osgi.framework.BundleContext context = proxy(org.osgi.framework.BundleContext.class, (m, a) ->
                m.getName().equals("getBundles") ? new org.osgi.framework.Bundle[] {other, resolved, bmc} : null);
        java.util.Map<org.osgi.framework.Bundle, org.osgi.service.metatype.MetaTypeInformation> infos = java.util.Map.of(
                bmc, info(new String[] {"dev.strata.provider.bmcs"}, new String[] {"dev.strata.provider.bmc"},
                        java.util.Map.of("dev.strata.provider.bmcs", List.of("discoveryThreads"), "dev.strata.provider.bmc", List.of("address", "user"))),
                resolved, info(new String[] {"dev.strata.provider.aws"}, new String[0], java.util.Map.of("dev.strata.provider.aws", List.of("regions"))),
                other, info(new String[] {"dev.strata.provider.bmcs"}, new String[0], java.util.Map.of("dev.strata.provider.bmcs", List.of("x"))));
        org.osgi.service.metatype.MetaTypeService metaType = proxy(org.osgi.service.metatype.MetaTypeService.class,
                (m, a) -> infos.get((org.osgi.framework.Bundle) a[0]));

        assertThat(UnknownProperties.declared(metaType, context, "dev.strata.provider.bmc~rack1", "dev.strata.provider.bmc"))
                .contains(Set.of("address", "user"));
        assertThat(UnknownProperties.declared(metaType, context, "dev.strata.provider.bmcs", null)).contains(Set.of("discoveryThreads"));
        assertThat(UnknownProperties.declared(metaType, context, "dev.strata.provider.aws", null)).as("its bundle is not started").isEmpty();
        assertThat(UnknownProperties.declared(metaType, context, "dev.strata.platform.core.quotas", null)).as("no metatype").isEmpty();
        assertThat(UnknownProperties.declared(null, context, "dev.strata.provider.bmcs", null)).as("no MetaType service").isEmpty();
    }

    /**
     * Declarative Services configures a component from a singleton configuration with its PID and
     * from every factory configuration with its PID as factory PID, whichever way its metatype
     * designates it: {@code etc/dev.strata.provider.aws.cfg} configures the AWS provider (its
     * metatype a factory's), and {@code etc/dev.strata.provider.bmcs-a.cfg} the BMC provider (its
     * metatype a singleton's). The misspelt properties of both are read by nothing, and were not
     * warned of: what the component declares was looked for only under the designation its
     * metatype gives.
     */
    @Test
    void aConfigurationIsCheckedWhetherItsComponentsMetatypeDesignatesItAsSingletonOrFactory() {
        org.osgi.framework.Bundle aws = bundle("dev.strata.provider.aws", org.osgi.framework.Bundle.ACTIVE);
        org.osgi.framework.Bundle bmc = bundle("dev.strata.provider.baremetal", org.osgi.framework.Bundle.ACTIVE);
        org.osgi.framework.BundleContext context = proxy(org.osgi.framework.BundleContext.class, (m, a) ->
                m.getName().equals("getBundles") ? new org.osgi.framework.Bundle[] {aws, bmc} : null);
        java.util.Map<org.osgi.framework.Bundle, org.osgi.service.metatype.MetaTypeInformation> infos = java.util.Map.of(
                aws, info(new String[0], new String[] {"dev.strata.provider.aws"}, java.util.Map.of("dev.strata.provider.aws", List.of("regions"))),
                bmc, info(new String[] {"dev.strata.provider.bmcs"}, new String[0],
                        java.util.Map.of("dev.strata.provider.bmcs", List.of("discoveryThreads"))));
        org.osgi.service.metatype.MetaTypeService metaType = proxy(org.osgi.service.metatype.MetaTypeService.class,
                (m, a) -> infos.get((org.osgi.framework.Bundle) a[0]));

        assertThat(UnknownProperties.declared(metaType, context, "dev.strata.provider.aws", null))
                .as("a singleton configuration of a component whose metatype is a factory's").contains(Set.of("regions"));
        assertThat(UnknownProperties.declared(metaType, context, "dev.strata.provider.bmcs~a", "dev.strata.provider.bmcs"))
                .as("a factory configuration of a component whose metatype is a singleton's").contains(Set.of("discoveryThreads"));
    }

    /**
     * Declarative Services reads a reference's target filter ({@code <reference>.target}) and
     * minimum cardinality ({@code <reference>.cardinality.minimum}) from the component's
     * configuration; no metatype declares them, and they are in force: they are not unknown.
     */
    @Test
    void aReferencesTargetAndMinimumCardinalityAreReadByDeclarativeServicesAndAreNotUnknown() {
        assertThat(UnknownProperties.of(List.of("tokenFile", "store.target", "providers.cardinality.minimum", "target", "tokenFil"), METRICS))
                .containsExactly("target", "tokenFil");
    }

    /**
     * Karaf reads a {@code .cfg} file as Java properties: a secret written on the line after its key
     * ({@code secretAccessKey =}, the value below it) makes an empty secret and a property whose
     * name is the secret, which no component declares. Its name is withheld, whatever its value (a
     * line holding {@code =} or {@code :} is read as a name and a value), and the warning names only
     * the empty secret and says how to write it. A name within two edits of a declared one is a
     * misspelling, and named.
     */
    @Test
    void aSecretWrittenOnTheLineAfterItsKeyIsWithheldAndTheWarningSaysWhatToWrite() {
        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
        p.put("service.pid", "dev.strata.provider.aws");
        p.put("felix.fileinstall.filename", "file:/opt/strata/etc/dev.strata.provider.aws.cfg");
        p.put("regions", "eu-central-1");
        p.put("secretAccessKey", "");
        p.put("Tq8Zr/4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN", "");
        UnknownProperties.Withheld w = UnknownProperties.withheld(p, AWS);
        assertThat(w.names()).containsExactly("Tq8Zr/4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN");
        assertThat(w.emptySecrets()).containsExactly("secretAccessKey");
        assertThat(w.placeholders()).containsExactly("(withheld 1)");
        assertThat(w.warning() + w.summary()).doesNotContain("Tq8Zr").doesNotContain("BtN");
        assertThat(w.warning()).isEqualTo("the secret property secretAccessKey is empty, and 1 property that no component reads is not named here, "
                + "as its name may be the secret's value: a value written on the line after its key is read as the name of a property of its own. "
                + "Write the value on the same line as its key (secretAccessKey = ...), or end the key's line with a backslash (\\) to continue "
                + "the value on the next line");
        assertThat(w.summary()).isEqualTo("1 property not named, as its name may be a secret written on a line of its own");

        // the secret with a colon in it, and a base64 one with its padding, are read as a name and a value
        p.remove("Tq8Zr/4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN");
        p.put("password", "  ");
        p.put("s3cr3t", "Pa55-w0rd");
        p.put("k7Q2mZ9xV4pL8sT1nR6w", "=");
        p.put("regoins", "eu-west-1");
        w = UnknownProperties.withheld(p, AWS);
        assertThat(w.names()).as("a name that most likely misspells a declared one is a misspelling, and named; an empty secret the "
                + "component does not read may be another's value").containsExactly("k7Q2mZ9xV4pL8sT1nR6w", "password", "s3cr3t");
        assertThat(w.emptySecrets()).containsExactly("secretAccessKey");
        assertThat(w.warning()).startsWith("the secret property secretAccessKey is empty, and 3 properties that no component reads "
                + "are not named here, as their names may be").doesNotContain("s3cr3t").doesNotContain("k7Q2");
        assertThat(w.contains("regions")).as("declared").isFalse();
        assertThat(w.contains("felix.fileinstall.filename")).as("bookkeeping").isFalse();
    }

    /**
     * A secret whose text holds a word that says secret ({@code Winter-Password-2024}, a random key
     * with {@code Pwd} or {@code Token} in it) written on the line after its key is a property whose
     * name says secret, with no value, as an empty secret is: it is withheld all the same, and only
     * the empty secrets the component declares (or most likely misspells) are named. Where what the
     * component declares is not known, an empty secret is named only where no other property says
     * secret, as it cannot then be another's value.
     */
    @Test
    void aSecretThatSaysSecretWrittenOnTheLineAfterItsKeyIsWithheldToo() {
        Set<String> bmc = Set.of("address", "user", "password", "passwordFile");
        for (String secret : List.of("Winter-Password-2024", "Tq8Zr/4nVb7XkPwdYs9MeP1cHd6FuJ3aGoRi5BtN", "myTokenIs42")) {
            java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
            p.put("address", "https://10.0.0.5");
            p.put("user", "root");
            p.put("password", "");
            p.put(secret, "");
            UnknownProperties.Withheld w = UnknownProperties.withheld(p, bmc);
            assertThat(w.names()).as(secret).containsExactly(secret);
            assertThat(w.emptySecrets()).containsExactly("password");
            assertThat(w.warning() + w.summary()).doesNotContain(secret);
            assertThat(w.warning()).startsWith("the secret property password is empty, and 1 property that no component reads is not named here");

            UnknownProperties.Withheld unknown = UnknownProperties.withheld(p, null);
            assertThat(unknown.names()).as("%s, what is declared not known", secret).containsExactlyInAnyOrder("address", "password", secret, "user");
            assertThat(unknown.warning() + unknown.summary()).doesNotContain(secret);

            // under a key whose name does not say secret, or alone in a configuration whose component declares none such
            p.remove("password");
            p.put("passwordFile", "");
            w = UnknownProperties.withheld(p, bmc);
            assertThat(w.names()).as(secret).containsExactly(secret);
            assertThat(w.emptySecrets()).isEmpty();
            assertThat(w.warning()).isEqualTo("1 property that no component reads is not named here, as its name may be a secret's value "
                    + "written on a line of its own: a value written on the line after its key, or the rest of one wrapped onto the next line, "
                    + "is read as the name of a property of its own. Write a value on the same line as its key (key = ...), or end each line "
                    + "of it but the last with a backslash (\\)");
        }
    }

    /**
     * A value wrapped onto the next line without a backslash makes a property of its rest, with no
     * value: where a secret's property has a value, such a property is withheld. A property with a
     * value is named as before, with what it most likely misspells.
     */
    @Test
    void theRestOfAWrappedSecretIsWithheldAndAMisspeltPropertyWithAValueIsNot() {
        Set<String> bmc = Set.of("address", "user", "password", "passwordFile");
        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
        p.put("adress", "https://10.0.0.5");
        p.put("user", "root");
        p.put("password", "Calvin-Bmc-");
        p.put("9x2QrT7w", "");
        UnknownProperties.Withheld w = UnknownProperties.withheld(p, bmc);
        assertThat(w.names()).containsExactly("9x2QrT7w");
        assertThat(w.wrapped()).isEqualTo(1);
        assertThat(w.warning()).isEqualTo("1 property with no value that no component reads is not named here: it may be the rest of the value of "
                + "the secret property password, wrapped onto the next line without a backslash, which is read as the name of a property of "
                + "its own. Keep the value on one line, or end each line of it but the last with a backslash (\\)");
        assertThat(UnknownProperties.of(p.keySet(), bmc)).containsExactly("9x2QrT7w", "adress");
        assertThat(UnknownProperties.describe(List.of("adress"), bmc)).isEqualTo("adress (did you mean address?)");

        p.remove("9x2QrT7w");
        assertThat(UnknownProperties.withheld(p, bmc).any()).as("a misspelt property with a value, beside a secret").isFalse();
        p.put("password", "");
        p.put("passwordFile", "bmc.secret");
        p.remove("adress");
        assertThat(UnknownProperties.withheld(p, bmc).any()).as("an empty secret with no stray property: nothing to withhold").isFalse();
        p.put("colour", "");
        p.remove("password");
        assertThat(UnknownProperties.withheld(p, bmc).any()).as("a property with no value, in a configuration with no secret").isFalse();
    }

    /**
     * A secret pasted on a line of its own under a key whose name does not say secret has nothing
     * but its look to tell it by: a name Strata's rules mask (a JSON web token), or one of at least
     * 20 characters of a token's alphabet, no dot, and a {@code /}, a {@code +} or three digits.
     * No property name Strata's components read looks like that.
     */
    @Test
    void aNameThatLooksLikeACredentialIsWithheldAndStratasPropertyNamesDoNot() {
        assertThat(List.of("Tq8Zr/4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN", "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "Zm9vYmFyYmF6+cXV4cXV1eA",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"))
                .allMatch(UnknownProperties::looksLikeCredential);
        assertThat(List.of("applicationCredentialSecretFile", "staleGracePeriod", "discoveryTimeout", "reconcileInterval", "strata.provider.id",
                "strata_provider_id", "providers.cardinality.minimum", "secretAccessKeyFile", "tokenFil", "maxConcurrentProvisions",
                "ipv4ManagementNetwork", "felix.fileinstall.filename")).noneMatch(UnknownProperties::looksLikeCredential);

        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
        p.put("tokenFile", "metrics.token");
        p.put("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "");
        p.put("colour", "blue");
        UnknownProperties.Withheld w = UnknownProperties.withheld(p, METRICS);
        assertThat(w.names()).containsExactly("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b");
        assertThat(w.lookAlike()).isEqualTo(1);
        assertThat(w.warning()).isEqualTo("1 property that no component reads is not named here, as its name looks like a credential: a secret "
                + "written on a line of its own is read as the name of a property. Write a value on the same line as its key (key = ...)");
    }

    /**
     * Where what the component declares is not known (its bundle not started, no MetaType service),
     * no property is taken as declared: beside an empty secret, every other name is withheld.
     */
    @Test
    void whereWhatTheComponentDeclaresIsNotKnownEveryNameBesideAnEmptySecretIsWithheld() {
        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
        p.put("service.pid", "dev.strata.provider.aws");
        p.put(".secretAccessKey", "");
        p.put("regions", "eu-central-1");
        p.put("Tq8Zr", "4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN");
        assertThat(UnknownProperties.withheld(p, null).names()).containsExactly("Tq8Zr", "regions");
        p.put(".secretAccessKey", "Tq8Zr:4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN");
        p.remove("Tq8Zr");
        assertThat(UnknownProperties.withheld(p, null).any()).isFalse();
    }

    private static org.osgi.framework.Bundle bundle(String name, int state) {
        return proxy(org.osgi.framework.Bundle.class, (m, a) -> switch (m.getName()) {
            case "getSymbolicName" -> name;
            case "getState" -> state;
            case "hashCode" -> name.hashCode();
            case "equals" -> a[0] == null ? false : name.equals(((org.osgi.framework.Bundle) a[0]).getSymbolicName());
            default -> null;
        });
    }

    private static org.osgi.service.metatype.MetaTypeInformation info(String[] pids, String[] factoryPids, java.util.Map<String, List<String>> ids) {
        return proxy(org.osgi.service.metatype.MetaTypeInformation.class, (m, a) -> switch (m.getName()) {
            case "getPids" -> pids;
            case "getFactoryPids" -> factoryPids;
            case "getObjectClassDefinition" -> proxy(org.osgi.service.metatype.ObjectClassDefinition.class, (m2, a2) ->
                    m2.getName().equals("getAttributeDefinitions") ? ids.get((String) a[0]).stream()
                            .map(id -> proxy(org.osgi.service.metatype.AttributeDefinition.class, (m3, a3) -> m3.getName().equals("getID") ? id : null))
                            .toArray(org.osgi.service.metatype.AttributeDefinition[]::new) : null);
            default -> null;
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.util.function.BiFunction<java.lang.reflect.Method, Object[], Object> answer) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> answer.apply(m, a));
    }

    /**
     * The edit distance is the fewest edits (insert, delete, substitute, swap two neighbours) that
     * turn one string into the other, as a breadth-first search over every edit finds it, on short
     * strings of three letters, where the awkward cases are: a swap with an edit between the swapped
     * letters, repeated letters, the empty string.
     */
    @Property(tries = 300)
    void theDistanceIsTheFewestEditsAnExhaustiveSearchFinds(@ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        StringBuilder a = new StringBuilder();
        for (int i = r.nextInt(6); i > 0; i--) {
            a.append((char) ('a' + r.nextInt(3)));
        }
        // the other: one to three random edits of the first (swaps most often), or any string
        StringBuilder b = new StringBuilder(a);
        if (r.nextInt(4) == 0) {
            b.setLength(0);
            for (int i = r.nextInt(6); i > 0; i--) {
                b.append((char) ('a' + r.nextInt(3)));
            }
        } else {
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                int at = b.length() == 0 ? 0 : r.nextInt(b.length());
                char c = (char) ('a' + r.nextInt(3));
                switch (b.length() < 2 ? r.nextInt(2) : r.nextInt(5)) {
                    case 0 -> b.insert(r.nextInt(b.length() + 1), c);
                    case 1 -> {
                        if (b.length() > 0) {
                            b.setCharAt(at, c);
                        }
                    }
                    case 2 -> b.deleteCharAt(at);
                    default -> {
                        int i = r.nextInt(b.length() - 1);
                        char x = b.charAt(i);
                        b.setCharAt(i, b.charAt(i + 1));
                        b.setCharAt(i + 1, x);
                    }
                }
            }
        }
        assertThat(UnknownProperties.distance(a.toString(), b.toString())).as("%s to %s", a, b).isEqualTo(fewestEdits(a.toString(), b.toString(), "abc"));
        assertThat(UnknownProperties.distance(b.toString(), a.toString())).as("%s to %s", b, a).isEqualTo(fewestEdits(b.toString(), a.toString(), "abc"));
    }

    @Test
    void aSwapAndAnEditBetweenTheSwappedLettersAreTwoEdits() {
        assertThat(UnknownProperties.distance("ca", "abc")).isEqualTo(2);
        assertThat(UnknownProperties.distance("abc", "ca")).isEqualTo(2);
    }

    /** Breadth-first search from {@code a} over every single edit, strings at most two longer than the longer of the two. */
    private static int fewestEdits(String a, String b, String alphabet) {
        int longest = Math.max(a.length(), b.length()) + 2;
        java.util.Map<String, Integer> seen = new java.util.HashMap<>(java.util.Map.of(a, 0));
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(a));
        while (!queue.isEmpty()) {
            String s = queue.poll();
            int d = seen.get(s);
            if (s.equals(b)) {
                return d;
            }
            List<String> next = new java.util.ArrayList<>();
            for (int i = 0; i <= s.length(); i++) {
                for (char c : alphabet.toCharArray()) {
                    if (s.length() < longest) {
                        next.add(s.substring(0, i) + c + s.substring(i));
                    }
                    if (i < s.length()) {
                        next.add(s.substring(0, i) + c + s.substring(i + 1));
                    }
                }
                if (i < s.length()) {
                    next.add(s.substring(0, i) + s.substring(i + 1));
                }
                if (i + 1 < s.length()) {
                    next.add(s.substring(0, i) + s.charAt(i + 1) + s.charAt(i) + s.substring(i + 2));
                }
            }
            for (String x : next) {
                if (!seen.containsKey(x)) {
                    seen.put(x, d + 1);
                    queue.add(x);
                }
            }
        }
        throw new AssertionError("no edits from " + a + " to " + b);
    }

    /** The edit distance against its definition's bounds: zero only for equal strings, symmetric, at most the longer length. */
    @Property(tries = 500)
    void theDistanceIsAMetricBoundedByTheLongerString(@ForAll @AlphaChars @StringLength(max = 12) String a,
            @ForAll @AlphaChars @StringLength(max = 12) String b) {
        int d = UnknownProperties.distance(a, b);
        assertThat(d).isEqualTo(UnknownProperties.distance(b, a));
        assertThat(d == 0).isEqualTo(a.equals(b));
        assertThat(d).isLessThanOrEqualTo(Math.max(a.length(), b.length())).isGreaterThanOrEqualTo(Math.abs(a.length() - b.length()));
        assertThat(UnknownProperties.distance(a, a + "x")).isEqualTo(1);
    }
}
