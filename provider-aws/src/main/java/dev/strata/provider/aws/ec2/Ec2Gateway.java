package dev.strata.provider.aws.ec2;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.AwsResponse;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.LocationType;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;

/**
 * The EC2 calls Strata makes, and the only class that holds SDK clients. Every call is bounded by
 * the caller's deadline (and the configured request timeout), pages through every result, and
 * turns SDK errors into portable exceptions through {@link Ec2Errors}; only SDK-free records leave.
 * One client per region, made on first use (making it does no network I/O). Thread-safe. Not
 * final so that tests can stand in for EC2 behaviour the emulator does not show.
 */
public class Ec2Gateway implements AutoCloseable {

    /** EC2 states of instances that still exist. */
    public static final List<String> EXISTING_STATES = List.of("pending", "running", "shutting-down", "stopping", "stopped");
    private static final int FILTER_VALUES = 100;

    private final AwsCredentialsProvider credentials;
    private final URI endpoint;
    private final Duration requestTimeout;
    private final SdkHttpClient http;
    private final Ec2Errors errors;
    private final ScrubbingInterceptor scrubbing; // null when no credential is known to scrub
    private final Map<String, Ec2Client> clients = new ConcurrentHashMap<>();
    /**
     * Runs each SDK call, so that the caller can give up at once when it is interrupted or its
     * deadline passes: the URL-connection client blocks in socket reads that an interruption does
     * not end. The worker is interrupted too, and the SDK aborts the call at its next step.
     */
    private final ExecutorService calls = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "strata-aws-call-" + count.incrementAndGet());
            t.setDaemon(true);
            // the SDK is carried inside this bundle: its class loader, whatever thread first called
            t.setContextClassLoader(Ec2Gateway.class.getClassLoader());
            return t;
        }
    });

    /**
     * @param credentials where signing credentials come from
     * @param endpoint the endpoint to call instead of AWS's, or null
     * @param requestTimeout the most one call may take, retries included
     * @param scrub removes credentials from any text that leaves (messages, logs), or null when
     *     none is known (credentials from the standard chain)
     */
    public Ec2Gateway(AwsCredentialsProvider credentials, URI endpoint, Duration requestTimeout, UnaryOperator<String> scrub) {
        this.credentials = credentials;
        this.endpoint = endpoint;
        this.requestTimeout = requestTimeout;
        this.errors = new Ec2Errors(scrub == null ? UnaryOperator.identity() : scrub);
        this.scrubbing = scrub == null ? null : new ScrubbingInterceptor(scrub);
        Duration connect = requestTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? requestTimeout : Duration.ofSeconds(10);
        // Set explicitly: inside an OSGi bundle the SDK's ServiceLoader lookup of an HTTP client finds nothing.
        this.http = UrlConnectionHttpClient.builder().connectionTimeout(connect).socketTimeout(requestTimeout).build();
    }

    /** The region's client; package-private so that a test can stand in for the SDK where neither EC2 nor moto can. */
    Ec2Client client(String region) {
        return clients.computeIfAbsent(region, r -> {
            ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder().apiCallTimeout(requestTimeout);
            if (scrubbing != null) {
                override.addExecutionInterceptor(scrubbing);
            }
            var builder = Ec2Client.builder()
                    .region(Region.of(r))
                    .credentialsProvider(credentials)
                    .httpClient(http)
                    .overrideConfiguration(override.build());
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            return builder.build();
        });
    }

    /** The region's availability zones that are available (local and wavelength zones left out). */
    public List<Zone> zones(String region, DiscoveryContext context) {
        DescribeAvailabilityZonesResponse response = call("DescribeAvailabilityZones", region, context,
                o -> client(region).describeAvailabilityZones(b -> b.overrideConfiguration(o)
                        .filters(filter("zone-type", List.of("availability-zone")), filter("state", List.of("available")))));
        List<Zone> zones = new ArrayList<>();
        for (AvailabilityZone z : response.availabilityZones()) {
            zones.add(new Zone(named(z.zoneName(), "DescribeAvailabilityZones", region, response.responseMetadata().requestId(),
                    "a zone without its name"), z.zoneId(), region));
        }
        return zones;
    }

    /** The names of the instance types the region offers, in pages. */
    public List<String> instanceTypeNames(String region, DiscoveryContext context) {
        List<String> names = new ArrayList<>();
        String token = null;
        Set<String> tokens = new HashSet<>();
        do {
            String next = token;
            DescribeInstanceTypeOfferingsResponse page = call("DescribeInstanceTypeOfferings", region, context,
                    o -> client(region).describeInstanceTypeOfferings(b -> b.overrideConfiguration(o)
                            .locationType(LocationType.REGION).maxResults(1000).nextToken(next)));
            for (InstanceTypeOffering offering : page.instanceTypeOfferings()) {
                names.add(named(offering.instanceTypeAsString(), "DescribeInstanceTypeOfferings", region, page.responseMetadata().requestId(),
                        "an offering without its instance type"));
            }
            token = nextToken(page.nextToken(), tokens, "DescribeInstanceTypeOfferings", region, page.responseMetadata().requestId());
        } while (token != null && !token.isEmpty());
        return names;
    }

    /** The given instance types (at most 100 are asked for per call), in pages. */
    public List<Shape> instanceTypes(String region, Collection<String> types, DiscoveryContext context) {
        List<Shape> shapes = new ArrayList<>();
        List<String> all = List.copyOf(types);
        for (int from = 0; from < all.size(); from += FILTER_VALUES) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + FILTER_VALUES));
            String token = null;
            Set<String> tokens = new HashSet<>();
            do {
                String next = token;
                DescribeInstanceTypesResponse page = call("DescribeInstanceTypes", region, context,
                        o -> client(region).describeInstanceTypes(b -> b.overrideConfiguration(o).instanceTypesWithStrings(chunk).nextToken(next)));
                for (var t : page.instanceTypes()) {
                    named(t.instanceTypeAsString(), "DescribeInstanceTypes", region, page.responseMetadata().requestId(),
                            "an instance type without its name");
                    try {
                        shapes.add(ShapeReader.shape(t));
                    } catch (IllegalArgumentException e) {
                        // a count no type can have: EC2's malformed answer, never a description of billions of vCPUs or GPUs
                        throw new ProviderUnavailableException("EC2 DescribeInstanceTypes in " + region + " answered a type no instance can be "
                                + "(request " + page.responseMetadata().requestId() + "): " + e.getMessage());
                    }
                }
                token = nextToken(page.nextToken(), tokens, "DescribeInstanceTypes", region, page.responseMetadata().requestId());
            } while (token != null && !token.isEmpty());
        }
        return shapes;
    }

    /**
     * The zones each of the given types is offered in: pairs of (type, zone), in pages.
     */
    public List<Map.Entry<String, String>> offerings(String region, Collection<String> types, DiscoveryContext context) {
        List<Map.Entry<String, String>> offerings = new ArrayList<>();
        List<String> all = List.copyOf(types);
        for (int from = 0; from < all.size(); from += FILTER_VALUES) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + FILTER_VALUES));
            String token = null;
            Set<String> tokens = new HashSet<>();
            do {
                String next = token;
                DescribeInstanceTypeOfferingsResponse page = call("DescribeInstanceTypeOfferings", region, context,
                        o -> client(region).describeInstanceTypeOfferings(b -> b.overrideConfiguration(o)
                                .locationType(LocationType.AVAILABILITY_ZONE).filters(filter("instance-type", chunk))
                                .maxResults(1000).nextToken(next)));
                for (InstanceTypeOffering offering : page.instanceTypeOfferings()) {
                    String requestId = page.responseMetadata().requestId();
                    offerings.add(Map.entry(named(offering.instanceTypeAsString(), "DescribeInstanceTypeOfferings", region, requestId,
                            "an offering without its instance type"), named(offering.location(), "DescribeInstanceTypeOfferings", region,
                            requestId, "an offering without its zone")));
                }
                token = nextToken(page.nextToken(), tokens, "DescribeInstanceTypeOfferings", region, page.responseMetadata().requestId());
            } while (token != null && !token.isEmpty());
        }
        return offerings;
    }

    /**
     * Instances in a region matching the filters (name to values; every filter must match), in pages.
     * An instance is listed once, as the latest page shows it, however many pages name it (a listing
     * of instances that change while it is paged may repeat one): counted twice, it would take two
     * slots of the region's quota and be two nodes of one id.
     */
    public List<Ec2Instance> instances(String region, Map<String, List<String>> filters, DiscoveryContext context) {
        List<Filter> sdkFilters = new ArrayList<>();
        filters.forEach((name, values) -> sdkFilters.add(filter(name, values)));
        Map<String, Ec2Instance> out = new LinkedHashMap<>();
        String token = null;
        Set<String> tokens = new HashSet<>();
        do {
            String next = token;
            DescribeInstancesResponse page = call("DescribeInstances", region, context,
                    o -> client(region).describeInstances(b -> b.overrideConfiguration(o).filters(sdkFilters).maxResults(1000).nextToken(next)));
            for (Reservation reservation : page.reservations()) {
                for (Instance instance : reservation.instances()) {
                    Ec2Instance read = read(instance, region, reservation.ownerId(), page.responseMetadata().requestId());
                    out.put(read.instanceId(), read);
                }
            }
            token = nextToken(page.nextToken(), tokens, "DescribeInstances", region, page.responseMetadata().requestId());
        } while (token != null && !token.isEmpty());
        return List.copyOf(out.values());
    }

    /**
     * The token of the next page, or null after the last. A token answered before in the same
     * listing would page in a circle until the caller's deadline: EC2's malformed answer, reported
     * as unavailable naming the call and the request.
     */
    private static String nextToken(String token, Set<String> seen, String call, String region, String requestId) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        if (!seen.add(token)) {
            String shown = token.length() > 64 ? token.substring(0, 64) + "..." : token;
            throw new ProviderUnavailableException("EC2 " + call + " in " + region + " answered NextToken '" + shown + "' a second time (request "
                    + requestId + "); expected a new token for each page, and none after the last");
        }
        return token;
    }

    /**
     * A name EC2's schema says an answer carries (a zone's, an instance type's); without it the
     * answer is malformed, reported as unavailable (the call is repeated), never an unchecked
     * exception further on.
     */
    private static String named(String value, String call, String region, String requestId, String what) {
        if (value == null || value.isBlank()) {
            throw new ProviderUnavailableException("EC2 " + call + " in " + region + " answered " + what + " (request " + requestId
                    + "); expected every item to carry it");
        }
        return value;
    }

    /**
     * An instance of a DescribeInstances answer. One without its id is EC2's malformed answer,
     * reported as unavailable (the call is repeated), never taken for no instance: the tag look-up
     * of a create must not miss the instance it launched. So is one without its type: its node
     * cannot be described, nor its use of the type's quota counted.
     */
    private static Ec2Instance read(Instance instance, String region, String ownerId, String requestId) {
        if (instance.instanceId() == null || instance.instanceId().isBlank()) {
            throw new ProviderUnavailableException("EC2 DescribeInstances in " + region + " answered an instance without its id (request "
                    + requestId + "); expected every instance to carry its instanceId");
        }
        if (instance.instanceTypeAsString() == null || instance.instanceTypeAsString().isBlank()) {
            throw new ProviderUnavailableException("EC2 DescribeInstances in " + region + " answered an instance without its type (request "
                    + requestId + "); expected every instance to carry its instanceType");
        }
        return InstanceReader.instance(instance, region, ownerId);
    }

    /** One instance by id; empty when EC2 does not know it (any more). */
    public List<Ec2Instance> instance(String region, String instanceId, DiscoveryContext context) {
        try {
            DescribeInstancesResponse response = call("DescribeInstances", region, context,
                    o -> client(region).describeInstances(b -> b.overrideConfiguration(o).instanceIds(instanceId)));
            List<Ec2Instance> out = new ArrayList<>();
            for (Reservation reservation : response.reservations()) {
                reservation.instances().forEach(i -> out.add(read(i, region, reservation.ownerId(), response.responseMetadata().requestId())));
            }
            return out;
        } catch (dev.strata.platform.api.exception.NotFoundException e) {
            return List.of();
        }
    }

    /** The account that owns the region's default security group: the account of the credentials. Null when there is none. */
    public String accountId(String region, DiscoveryContext context) {
        DescribeSecurityGroupsResponse response = call("DescribeSecurityGroups", region, context,
                o -> client(region).describeSecurityGroups(b -> b.overrideConfiguration(o).filters(filter("group-name", List.of("default")))));
        return response.securityGroups().stream().map(g -> g.ownerId()).filter(id -> id != null && !id.isBlank()).findFirst().orElse(null);
    }

    /** The default subnet of a zone, or null when it has none. */
    public String defaultSubnet(String region, String zone, DiscoveryContext context) {
        DescribeSubnetsResponse response = call("DescribeSubnets", region, context,
                o -> client(region).describeSubnets(b -> b.overrideConfiguration(o)
                        .filters(filter("availability-zone", List.of(zone)), filter("default-for-az", List.of("true")))));
        return response.subnets().isEmpty() ? null : response.subnets().get(0).subnetId();
    }

    /** Launches one instance. */
    public Ec2Instance run(Launch launch, DiscoveryContext context) {
        List<Tag> tags = new ArrayList<>();
        launch.tags().forEach((k, v) -> tags.add(Tag.builder().key(k).value(v).build()));
        RunInstancesRequest.Builder request = RunInstancesRequest.builder()
                .minCount(1).maxCount(1)
                .instanceType(launch.instanceType())
                .imageId(launch.imageId())
                .clientToken(launch.clientToken())
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build())
                .metadataOptions(m -> m.httpTokens("required"));
        Placement.Builder placement = Placement.builder().availabilityZone(launch.zone());
        if (launch.placementGroup() != null) {
            placement.groupName(launch.placementGroup());
        }
        request.placement(placement.build());
        if (launch.keyName() != null) {
            request.keyName(launch.keyName());
        }
        if (launch.efaInterfaces() > 0) {
            // EFA interfaces are network interface specifications: subnet and groups go there, not on the request
            List<InstanceNetworkInterfaceSpecification> interfaces = new ArrayList<>();
            for (int card = 0; card < launch.efaInterfaces(); card++) {
                var spec = InstanceNetworkInterfaceSpecification.builder()
                        .deviceIndex(card == 0 ? 0 : 1)
                        .networkCardIndex(card)
                        .interfaceType("efa")
                        .subnetId(launch.subnetId())
                        .deleteOnTermination(true);
                if (!launch.securityGroups().isEmpty()) {
                    spec.groups(launch.securityGroups());
                }
                interfaces.add(spec.build());
            }
            request.networkInterfaces(interfaces);
        } else {
            if (launch.subnetId() != null) {
                request.subnetId(launch.subnetId());
            }
            if (!launch.securityGroups().isEmpty()) {
                request.securityGroupIds(launch.securityGroups());
            }
        }
        RunInstancesResponse response = call("RunInstances", launch.region(), context,
                o -> client(launch.region()).runInstances(request.overrideConfiguration(o).build()));
        if (response.instances().isEmpty() || response.instances().get(0).instanceId() == null
                || response.instances().get(0).instanceId().isBlank()) {
            // EC2 accepted the launch: the instance may exist, so the create is to be repeated (the client token and the
            // operation tag find it), not failed (the core would leave the instance to leak reaping)
            throw new ProviderUnavailableException("EC2 RunInstances in " + launch.region() + " answered without "
                    + (response.instances().isEmpty() ? "an instance" : "the instance's id") + " (request " + response.responseMetadata().requestId()
                    + "); the launch may have happened, and a repeat with the same client token is safe");
        }
        return InstanceReader.instance(response.instances().get(0), launch.region(), response.ownerId());
    }

    /** Terminates one instance; returns its new EC2 state name, or null when EC2 does not know it. */
    public String terminate(String region, String instanceId, DiscoveryContext context) {
        try {
            TerminateInstancesResponse response = call("TerminateInstances", region, context,
                    o -> client(region).terminateInstances(b -> b.overrideConfiguration(o).instanceIds(instanceId)));
            for (InstanceStateChange change : response.terminatingInstances()) {
                if (instanceId.equals(change.instanceId()) && change.currentState() != null) {
                    return change.currentState().nameAsString();
                }
            }
            return "shutting-down";
        } catch (dev.strata.platform.api.exception.NotFoundException e) {
            return null;
        }
    }

    private <T> T call(String action, String region, DiscoveryContext context, Function<AwsRequestOverrideConfiguration, T> call) {
        context.checkDeadline("EC2 " + action + " in " + region);
        Duration remaining = context.remaining();
        Duration timeout = remaining.compareTo(requestTimeout) < 0 ? remaining : requestTimeout;
        if (timeout.toMillis() < 1) {
            throw new ProviderTimeoutException("deadline passed before EC2 " + action + " in " + region + " (operation " + context.operationId() + ")");
        }
        AwsRequestOverrideConfiguration config = AwsRequestOverrideConfiguration.builder().apiCallTimeout(timeout).build();
        Future<T> result;
        try {
            result = calls.submit(() -> call.apply(config));
        } catch (RejectedExecutionException e) {
            // a call that arrives after the provider was deactivated: a portable error, not the executor's
            throw new ProviderUnavailableException("EC2 " + action + " in " + region + ": the AWS provider was stopped");
        }
        try {
            // the SDK ends the call at its own timeout; the margin lets its answer (or its timeout error) arrive
            return fromEc2(action, region, result.get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted during EC2 " + action + " in " + region + " (operation " + context.operationId() + ")");
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new ProviderTimeoutException("EC2 " + action + " in " + region + " did not answer within " + timeout.toMillis() + " ms (operation "
                    + context.operationId() + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SdkException sdk) {
                throw errors.translate(action, region, sdk);
            }
            if (cause instanceof dev.strata.platform.api.exception.StrataException strata) {
                throw strata;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            // not the SDK's exception, thrown from inside it: named and scrubbed as the SDK's are, never passed on raw
            throw errors.translateOther(action, region, cause);
        }
    }

    /**
     * The answer, when it is EC2's: every EC2 answer carries its request id. A successful HTTP
     * answer without one is not EC2's (a web server, a proxy's or portal's page where the endpoint
     * should be): the SDK reads such a page as an answer with nothing in it, which would say that
     * no instance exists (a running instance gone, a create's instance not found so launched
     * again). It is reported as unavailable, naming what came instead.
     */
    private <T> T fromEc2(String action, String region, T answer) {
        if (answer instanceof AwsResponse response) {
            String requestId = response.responseMetadata() == null ? null : response.responseMetadata().requestId();
            if (requestId == null || requestId.isBlank() || "UNKNOWN".equals(requestId)) {
                var http = response.sdkHttpResponse();
                String type = http == null ? null : http.firstMatchingHeader("Content-Type").orElse(null);
                throw new ProviderUnavailableException("EC2 " + action + " in " + region + " answered"
                        + (http == null ? "" : " HTTP " + http.statusCode()) + (type == null ? "" : " (Content-Type " + type + ")")
                        + " without a request id: not EC2's answer" + (endpoint == null ? "" : " (endpoint " + endpoint + ")")
                        + "; expected EC2's XML answer, which carries its requestId");
            }
        }
        return answer;
    }

    private static Filter filter(String name, List<String> values) {
        return Filter.builder().name(name).values(values).build();
    }

    @Override
    public void close() {
        calls.shutdownNow();
        clients.values().forEach(Ec2Client::close);
        clients.clear();
        http.close();
    }

    /**
     * One instance to launch.
     *
     * @param region the region
     * @param zone the availability zone
     * @param instanceType the type
     * @param imageId the AMI
     * @param subnetId the subnet, or null for the zone's default (required with EFA interfaces)
     * @param securityGroups security group ids, possibly empty
     * @param keyName key pair, or null
     * @param clientToken the idempotency token
     * @param tags tags for the instance and its volumes (kept in key order)
     * @param efaInterfaces EFA interfaces to attach, one per network card from card 0; 0 for none
     * @param placementGroup the placement group, or null
     */
    public record Launch(String region, String zone, String instanceType, String imageId, String subnetId, List<String> securityGroups,
            String keyName, String clientToken, Map<String, String> tags, int efaInterfaces, String placementGroup) {
        public Launch {
            securityGroups = List.copyOf(securityGroups);
            // sorted: a launch sent again (after a restart, same client token) sends its tags in the same order; Map.copyOf's
            // order changes from one JVM to the next, and EC2 compares a repeated request with the first
            tags = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(tags));
        }
    }
}
