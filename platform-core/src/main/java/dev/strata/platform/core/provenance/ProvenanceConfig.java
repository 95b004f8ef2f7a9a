package dev.strata.platform.core.provenance;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the provenance log ({@code etc/dev.strata.platform.core.provenance.cfg}). */
@ObjectClassDefinition(name = "Strata provenance log", description = "Signing key and checkpoints of the hash-chained provenance log.")
public @interface ProvenanceConfig {

    @AttributeDefinition(description = "The Ed25519 private key that signs checkpoints (PKCS#8 PEM), relative to data/. Created at "
            + "first start, readable by its owner only; its public half is written beside it with the suffix .pub.")
    String keyFile() default "strata/provenance-ed25519.key";

    @AttributeDefinition(description = "Sign a checkpoint after at most this many new records (at least 1).")
    int checkpointEvery() default 1000;

    @AttributeDefinition(description = "Sign a checkpoint of new records at least this often, e.g. 60s.")
    String checkpointInterval() default "60s";
}
