package dev.strata.platform.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.DeploymentTerms;
import dev.strata.platform.api.contract.InvalidContractException;
import dev.strata.platform.api.contract.OnMachineLoss;
import dev.strata.platform.api.contract.Violation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code deployment} clause and a member's {@code provisioning} parameters, as the contract reader takes them. */
class DeploymentClausesTest {

    private final ContractDocumentReader reader = new ContractDocumentReader();

    @Test
    void aContractWithoutTheClauseGetsTheDefaultTermsWhichDegradeOnLoss() {
        Contract c = reader.read("name: a\ntenant: t\nmembers:\n  - {name: w, cpu: 1}\n", "a.yaml");
        assertThat(c.deployment()).isEqualTo(DeploymentTerms.DEFAULT);
        assertThat(c.deployment().onMachineLoss()).isEqualTo(OnMachineLoss.DEGRADE);
        assertThat(c.provisioningOf(c.members().get(0))).isEmpty();
    }

    @Test
    void theClauseSetsOnMachineLossAndParametersAndAMembersOwnParametersWin() {
        Contract c = reader.read("""
                name: a
                tenant: t
                deployment:
                  onMachineLoss: replace
                  parameters: {image: ami-0abc, keyName: ops, volumeGiB: 200}
                members:
                  - name: w
                    cpu: 1
                    provisioning: {image: ami-0def, bootDevice: pxe}
                """, "a.yaml");
        assertThat(c.deployment().onMachineLoss()).isEqualTo(OnMachineLoss.REPLACE);
        assertThat(c.deployment().parameters()).containsOnly(Map.entry("image", "ami-0abc"), Map.entry("keyName", "ops"),
                Map.entry("volumeGiB", "200"));
        assertThat(c.provisioningOf(c.members().get(0))).containsOnly(Map.entry("image", "ami-0def"), Map.entry("keyName", "ops"),
                Map.entry("volumeGiB", "200"), Map.entry("bootDevice", "pxe"));
    }

    @Test
    void everyMistakeIsNamedAtOnceAndNoCredentialIsEchoed() {
        String bad = """
                name: a
                tenant: t
                deployment:
                  onMachineLoss: reboot
                  colour: blue
                  parameters:
                    adminPassword: hunter2
                    image: https://alice:s3cret@images.example/img.qcow2
                    nested: {a: 1}
                members:
                  - name: w
                    cpu: 1
                    provisioning: [pxe]
                """;
        assertThatThrownBy(() -> reader.read(bad, "bad.yaml")).isInstanceOf(InvalidContractException.class)
                .satisfies(e -> {
                    assertThat(((InvalidContractException) e).violations()).containsExactlyInAnyOrder(
                            new Violation("deployment.onMachineLoss", "reboot",
                                    "replace (make a new machine when one disappears) or degrade (mark the deployment degraded)"),
                            new Violation("deployment.colour", "blue", "one of the fields onMachineLoss, parameters"),
                            new Violation("deployment.parameters.adminPassword", "(not shown)", "a parameter that is not a credential: "
                                    + "credentials are configured on the provider (its configuration or secret file), never written in a contract"),
                            new Violation("deployment.parameters.image", "(a URL with a user or password, not shown)",
                                    "a URL without user or password: credentials are never written in a contract"),
                            new Violation("deployment.parameters.nested", "{\"a\":1}", "a plain value: text, a number or true/false"),
                            new Violation("members[0].provisioning", "[\"pxe\"]",
                                    "a mapping of parameter names to values, such as {image: ami-0abc, bootDevice: pxe}"));
                    assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("s3cret");
                });
    }
    /**
     * A parameter reaches the provider as it was written. YAML reads a plain scalar that looks like a
     * number or like true/false as one, and the tree keeps only the value: 1.10 was given as 1.1,
     * 1e3 as 1000.0, 0x1F as 31, 017 as 15, a 30-digit number in JSON with an exponent as Infinity,
     * and efa: off (a value the AWS provider knows) as false, which it does not.
     */
    @Test
    void numbersAndBooleansInParametersArePassedAsWritten() {
        Map<String, String> written = Map.of("kernel", "1.10", "diskGiB", "0x1F", "mode", "017", "iops", "1_000", "timeout", "1e3",
                "serial", "123456789012345678901234567890", "scale", "+5", "efa", "off", "secureBoot", "yes", "ratio", ".5");
        Contract yaml = reader.read("""
                name: a
                tenant: t
                deployment:
                  parameters: {kernel: 1.10, diskGiB: 0x1F, mode: 017, iops: 1_000, timeout: 1e3}
                members:
                  - name: w
                    cpu: 1
                    provisioning: {serial: 123456789012345678901234567890, scale: +5, efa: off, secureBoot: yes, ratio: .5}
                """, "a.yaml");
        assertThat(yaml.provisioningOf(yaml.members().get(0))).isEqualTo(written);

        Contract json = reader.read("""
                {"name": "a", "tenant": "t",
                 "deployment": {"parameters": {"kernel": 1.10, "big": 1E+400, "serial": 123456789012345678901234567890, "zero": -0.0,
                                               "secureBoot": true}},
                 "members": [{"name": "w", "cpu": 1, "provisioning": {"tiny": 1e-400, "count": 12}}]}
                """, "a.json");
        assertThat(json.provisioningOf(json.members().get(0))).isEqualTo(Map.of("kernel", "1.10", "big", "1E+400",
                "serial", "123456789012345678901234567890", "zero", "-0.0", "secureBoot", "true", "tiny", "1e-400", "count", "12"));
        // text stays text, and a quoted number was always kept as written
        assertThat(reader.read("{name: a, tenant: t, deployment: {parameters: {kernel: '1.10', image: ami-0abc}}, members: [{name: w, cpu: 1}]}",
                "a.yaml").deployment().parameters()).isEqualTo(Map.of("kernel", "1.10", "image", "ami-0abc"));
    }

    /** Parameter names that say credential in other words are refused too; names that only contain "key" are not. */
    @Test
    void apiKeysPassphrasesAndSigningKeysAreCredentials() {
        for (String name : java.util.List.of("apiKey", "api_key", "API-KEY", "datadogApiKey", "passphrase", "sshPassphrase", "signingKey",
                "authKey", "bearer", "accessKey", "privateKey")) {
            assertThatThrownBy(() -> reader.read("{name: a, tenant: t, deployment: {parameters: {" + name + ": v4lue-x}}, members: [{name: w, cpu: 1}]}",
                    "a.yaml")).as(name).isInstanceOf(InvalidContractException.class)
                    .hasMessageContaining("deployment.parameters." + name + ": '(not shown)'").hasMessageNotContaining("v4lue-x");
        }
        Contract c = reader.read("{name: a, tenant: t, deployment: {parameters: {keyName: ops, monkey: 1, keyboardLayout: de}}, members: [{name: w, cpu: 1}]}",
                "a.yaml");
        assertThat(c.deployment().parameters()).containsOnlyKeys("keyName", "monkey", "keyboardLayout");
    }

    /**
     * A value of several lines (a key or a certificate pasted in) is refused without showing any
     * of it; before, its first 80 characters were in the error.
     */
    @Test
    void aMultiLineParameterIsRefusedWithoutShowingIt() {
        String doc = "{name: a, tenant: t, deployment: {parameters: {sshKey: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\\nsecond\\nthird\"}}, members: [{name: w, cpu: 1}]}";
        assertThatThrownBy(() -> reader.read(doc, "a.yaml")).isInstanceOf(InvalidContractException.class)
                .satisfies(e -> assertThat(((InvalidContractException) e).violations()).containsExactly(new Violation(
                        "deployment.parameters.sshKey", "(93 characters on 3 lines, not shown)", ONE_LINE)))
                .hasMessageNotContaining("AAAAC3Nza");
    }

    private static final String ONE_LINE = "one line of at most 2048 characters, without control or format characters";

    /**
     * A line break of another kind (NEL, U+2028), an escape, DEL or a direction override in a value
     * would reach log lines and the shell as it is: refused as a value of several lines is. A tab is
     * kept. Before, only characters below U+0020 were refused.
     */
    @Test
    void aParameterWithAnyControlOrFormatCharacterIsRefused() {
        for (String bad : new String[] {"ami\\u0085forged", "ami\\u2028forged", "ami\\u007f", "ami\\u202eevil", "ami\\u001b[2K"}) {
            String doc = "{\"name\": \"a\", \"tenant\": \"t\", \"deployment\": {\"parameters\": {\"image\": \"" + bad
                    + "\"}}, \"members\": [{\"name\": \"w\", \"cpu\": 1}]}";
            assertThatThrownBy(() -> reader.read(doc, "a.json")).as(bad).isInstanceOf(InvalidContractException.class)
                    .satisfies(e -> assertThat(((InvalidContractException) e).violations()).extracting(Violation::path, Violation::expected)
                            .containsExactly(tuple("deployment.parameters.image", ONE_LINE)));
        }
        String tabbed = "{\"name\": \"a\", \"tenant\": \"t\", \"deployment\": {\"parameters\": {\"note\": \"a\\tb\"}}, "
                + "\"members\": [{\"name\": \"w\", \"cpu\": 1}]}";
        assertThat(reader.read(tabbed, "a.json").deployment().parameters()).containsEntry("note", "a\tb");
    }
}
