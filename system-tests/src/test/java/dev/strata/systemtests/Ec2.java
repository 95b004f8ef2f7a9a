package dev.strata.systemtests;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;

/** The test's own look at the emulator, through the AWS SDK, behind Strata's back. */
final class Ec2 implements AutoCloseable {

    private final List<Ec2Client> clients = new ArrayList<>();

    Ec2(URI endpoint) {
        for (String region : List.of("eu-central-1", "us-east-1")) {
            clients.add(Ec2Client.builder().region(Region.of(region)).endpointOverride(endpoint)
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIATESTKEYID0000000", "x"))).build());
        }
    }

    /** Every instance in both regions that is pending or running. */
    List<Instance> live() {
        List<Instance> out = new ArrayList<>();
        for (Ec2Client c : clients) {
            for (Reservation r : c.describeInstances(b -> b.filters(f -> f.name("instance-state-name").values("pending", "running")))
                    .reservations()) {
                out.addAll(r.instances());
            }
        }
        return out;
    }

    static String tag(Instance i, String key) {
        return i.tags().stream().filter(t -> t.key().equals(key)).map(t -> t.value()).findFirst().orElse(null);
    }

    /** Terminates an instance behind Strata's back. */
    void terminate(Instance i) {
        String region = i.placement().availabilityZone().substring(0, i.placement().availabilityZone().length() - 1);
        clients.get(region.equals("eu-central-1") ? 0 : 1).terminateInstances(b -> b.instanceIds(i.instanceId()));
    }

    @Override
    public void close() {
        clients.forEach(Ec2Client::close);
    }
}
