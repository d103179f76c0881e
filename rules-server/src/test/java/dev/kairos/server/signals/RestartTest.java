package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kairos.server.support.Events;
import dev.kairos.server.support.Http;
import dev.kairos.server.support.SharedKafka;
import dev.kairos.server.support.TestServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.kairos.server.support.TestServer.ADMIN_KEY;
import static dev.kairos.server.support.TestServer.WRITE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping and starting rules-server loses no accepted event, counts none twice, and rejoins as the same static member. */
class RestartTest {
    static int events(Http http, String user) {
        Http.Response r = http.get("/v1/users/" + user + "/signals", ADMIN_KEY);
        return r.status() == 200 ? r.json().get("events").asInt() : -1;
    }

    /** The group.instance.id of the signal engine's only member, once the group has one. */
    static String staticMember(TestServer server) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
            String group = server.namespace + "-signals";
            String[] id = new String[1];
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var members = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members();
                assertThat(members).hasSize(1);
                id[0] = members.iterator().next().groupInstanceId().orElse(null);
                assertThat(id[0]).isNotNull();
            });
            return id[0];
        }
    }

    @Test
    void signalsSurviveARestartAndRetriedEventsAreNotCountedTwice() throws Exception {
        String user = "restart-user";
        Path data = TestServer.newDataDir();
        Events first = Events.batch();
        for (int i = 0; i < 40; i++) first.add(user, i % 2 == 0 ? "page_view" : "task_created", "{}");

        String[] member = new String[1];
        TestServer server = TestServer.start(data, Map.of());
        try {
            JsonNode r = server.http.postJson("/v1/events", WRITE_KEY, first.json()).json();
            assertThat(r.get("accepted").asInt()).isEqualTo(40);
            await().atMost(Duration.ofSeconds(30)).until(() -> events(server.http, user) == 40);
            member[0] = staticMember(server);
            assertThat(member[0]).as("named by the id kept in the data folder")
                    .startsWith(java.nio.file.Files.readString(data.resolve("instance-id")).strip() + "-");
        } finally {
            server.close();
        }

        TestServer again = TestServer.start(data, Map.of());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> events(again.http, user) == 40);
            JsonNode s = again.http.get("/v1/users/" + user + "/signals", ADMIN_KEY).json();
            assertThat(s.get("signals").get("tasksCreated").asInt()).isEqualTo(20);
            // The same static member came back (its partitions handed back without waiting for the old session to end).
            assertThat(staticMember(again)).isEqualTo(member[0]);

            // The SDK retries the first batch (its answer was lost) and sends 10 new events.
            Events retry = Events.batch();
            for (String id : first.ids()) retry.addWithId(id, "\"userId\": \"" + user + "\"", "task_created", "{}");
            for (int i = 0; i < 10; i++) retry.add(user, "task_created", "{}");
            JsonNode answer = again.http.postJson("/v1/events", WRITE_KEY, retry.json()).json();
            assertThat(answer.get("accepted").asInt()).as("a fresh instance has no duplicate cache; the engine de-duplicates").isEqualTo(50);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events(again.http, user)).isEqualTo(50));
            assertThat(again.http.get("/v1/users/" + user + "/signals", ADMIN_KEY).json().get("signals").get("tasksCreated").asInt())
                    .isEqualTo(30);
        } finally {
            again.close();
        }
    }
}
