package dev.strata.provider.aws;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One AWS account ({@code etc/dev.strata.provider.aws-NAME.cfg}, a factory configuration: one
 * file per account). Without a configuration the provider does nothing. Durations are a whole
 * number with a unit: {@code ms}, {@code s}, {@code m} or {@code h}; a bare number is seconds.
 */
@ObjectClassDefinition(name = "Strata AWS provider (one per account)",
        description = "Discovers GPU instance types and their offerings in the configured regions and launches, "
                + "describes and terminates EC2 instances for Strata deployments.")
public @interface AwsConfig {

    @AttributeDefinition(name = "strata.provider.id", description = "Provider id, unique in Strata (e.g. aws-prod); "
            + "site, offer and node ids start with it. Give every account its own.")
    String strata_provider_id() default "aws";

    @AttributeDefinition(description = "Regions to use, e.g. eu-central-1, us-east-1. At least one.")
    String[] regions();

    @AttributeDefinition(description = "The 12-digit AWS account id the credentials must belong to; checked before "
            + "anything is discovered or launched. Empty: not checked, shown as 'account not set'.")
    String accountId() default "";

    @AttributeDefinition(description = "Access key id of static credentials; empty to use the standard AWS chain "
            + "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the profile file, the instance role).")
    String accessKeyId() default "";

    @AttributeDefinition(description = "File that holds the secret access key of accessKeyId (only the key, one line); "
            + "relative paths are resolved against karaf.etc.")
    String secretAccessKeyFile() default "";

    @AttributeDefinition(name = ".secretAccessKey", type = AttributeType.PASSWORD,
            description = "The secret access key itself (private property: never published as a service property); "
                    + "prefer secretAccessKeyFile, config:list shows this value.")
    String _secretAccessKey() default "";

    @AttributeDefinition(description = "Profile of the AWS profile file used by the standard chain; empty for the default.")
    String profile() default "";

    @AttributeDefinition(description = "EC2 endpoint to use instead of AWS's (an emulator, a VPC endpoint), "
            + "e.g. http://127.0.0.1:5000. Empty: AWS's endpoint of each region.")
    String endpoint() default "";

    @AttributeDefinition(description = "Instance types to read and offer when they have GPUs, as glob patterns (p5.*, g6e.*). "
            + "The default covers the GPU families; * reads every type of a region (slow).")
    String[] instanceTypes() default {"p*", "g*"};

    @AttributeDefinition(description = "Account quotas in instances, TYPE=N or REGION/TYPE=N (TYPE may be a glob, "
            + "e.g. p5.48xlarge=4, eu-central-1/g6.*=8). Region entries win over global ones; the first match wins.")
    String[] quotas() default {};

    @AttributeDefinition(description = "Quota of a type that no quotas entry matches. New AWS accounts have none for GPU instances.")
    int defaultQuota() default 0;

    @AttributeDefinition(description = "Image (AMI) per region, REGION=ami-..., used when a request names no image.")
    String[] images() default {};

    @AttributeDefinition(description = "Subnet per zone, ZONE=subnet-...; zones without one use their default subnet.")
    String[] subnets() default {};

    @AttributeDefinition(description = "Security groups per region, REGION=sg-...; repeat a region for several.")
    String[] securityGroups() default {};

    @AttributeDefinition(description = "EC2 key pair name for launched instances; empty for none.")
    String keyName() default "";

    @AttributeDefinition(description = "EFA interfaces on types that support EFA: all (one per network card, the "
            + "bandwidth the offer reports), one, or off.")
    String efa() default "all";

    @AttributeDefinition(description = "The most one EC2 API call may take, retries included (also bounded by the caller's deadline); "
            + "from 1s to 10m.")
    String requestTimeout() default "30s";

    @AttributeDefinition(description = "How long the instance type catalogue and offerings of a region are reused before they are read again; "
            + "from 0s (read every time) to 24h.")
    String catalogueRefresh() default "1h";

    @AttributeDefinition(description = "How long after its launch an instance that EC2 does not list yet (EC2 is eventually "
            + "consistent: DescribeInstances may not know a new instance for seconds, sometimes minutes) is reported pending "
            + "rather than gone, and is not given up by a delete; from 0s (not at all) to 30m.")
    String visibilityGrace() default "5m";

    @AttributeDefinition(description = "YAML file whose region entries replace those of the built-in sovereignty table "
            + "(same format); relative paths are resolved against karaf.etc. Empty: the built-in table only.")
    String sovereigntyFile() default "";
}
