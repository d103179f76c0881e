package dev.kairos.server.signals;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary state record: every field round-trips, older JSON records still read, damage is an error, not garbage. */
class UserStateSerdeTest {
    static UserState full() {
        UserState s = new UserState();
        s.userKey = "u-42 ünïcödé";
        s.aliases.add("anon-1");
        s.aliases.add("anon-2");
        s.events = 1234;
        s.firstSeen = 1_700_000_000_000L;
        s.lastSeen = 1_700_000_500_000L;
        s.lastEventTime = 1_700_000_499_000L;
        s.sessionId = "s-9";
        s.sessionStart = 1_700_000_400_000L;
        s.sessionPageViews = 7;
        s.sessionProductViews = 3;
        s.sessionTasks = 2;
        s.purchasedInSession = true;
        s.checkoutInSession = true;
        s.rapidRun = 2;
        s.rapidBursts = 1;
        s.dwellByCategory.put("shoes", 12.5);
        s.dwellByCategory.put("hats", 0.25);
        s.pageCategory = "shoes";
        s.pageStart = 1_700_000_450_000L;
        s.pageScrollDepth = 0.75;
        s.recentProductViews.add(new UserState.ProductView(1_700_000_460_000L, "shoes"));
        s.recentProductViews.add(new UserState.ProductView(1_700_000_470_000L, null));
        s.cartItems = 2;
        s.lastCartAdd = 1_700_000_480_000L;
        s.lastPurchase = 1_600_000_000_000L;
        s.lastProductView = 1_700_000_470_000L;
        s.failedPurchasesInRow = 1;
        s.adTaps.add(1_700_000_300_000L);
        s.lastSearch = "red dress";
        s.sessions = 5;
        s.cartSessions = 2;
        s.avgSessionSeconds = 301.5;
        s.varSessionSeconds = 44.25;
        s.historyWeight = 3.5;
        s.historyUpdated = 1_700_000_000_001L;
        s.hourHistogram[18] = 4.5;
        s.hourHistogram[23] = 0.125;
        return s;
    }

    /** Field-by-field comparison through the JSON form (UserState has no equals). */
    static String json(UserState s) throws Exception {
        return UserStateSerde.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s);
    }

    @Test
    void everyFieldRoundTripsAndTheRecordIsSmallerThanJson() throws Exception {
        UserState s = full();
        byte[] bytes = UserStateSerde.write(s);
        assertThat(bytes[0]).isEqualTo(UserStateSerde.V1);
        assertThat(json(UserStateSerde.read(bytes))).isEqualTo(json(s));
        assertThat(bytes.length).isLessThan(UserStateSerde.JSON.writeValueAsBytes(s).length);
        UserState empty = new UserState();
        empty.userKey = "new";
        assertThat(json(UserStateSerde.read(UserStateSerde.write(empty)))).isEqualTo(json(empty));
    }

    @Test
    void exposuresRoundTripAndAUserWithoutThemKeepsTheFormatEarlierVersionsRead() {
        UserState without = full();
        assertThat(UserStateSerde.write(without)[0]).as("no exposures: format 1").isEqualTo(UserStateSerde.V1);
        UserState with = full();
        with.exposures = new java.util.ArrayList<>(java.util.List.of(new UserState.Exposure(1_700_000_000_000L, "impression", "home_banner", "R1"),
                new UserState.Exposure(1_700_000_100_000L, "dismiss", "home_banner", null)));
        byte[] bytes = UserStateSerde.write(with);
        assertThat(bytes[0]).isEqualTo(UserStateSerde.V3);
        UserState back = UserStateSerde.read(bytes);
        assertThat(back.exposures).isEqualTo(with.exposures);
        assertThat(UserStateSerde.write(back)).isEqualTo(bytes);
    }

    @Test
    void theOffsetsRideInATrailerThatEarlierVersionsDoNotReach() {
        for (boolean exposures : new boolean[] {false, true}) {
            UserState s = full();
            if (exposures) s.exposures = new java.util.ArrayList<>(List.of(new UserState.Exposure(1_700_000_000_000L, "click", "home_banner", "R1")));
            byte[] before = UserStateSerde.write(s);
            UserState read = UserStateSerde.read(before);
            assertThat(read.eventsOffset).as("a record without the trailer").isEqualTo(-1);
            assertThat(read.outcomesOffset).isEqualTo(-1);
            s.eventsOffset = 123_456_789_012L;
            s.outcomesOffset = 7;
            byte[] with = UserStateSerde.write(s);
            // The same bytes, then the trailer: a reader that stops after the last field it knows reads the same state.
            assertThat(java.util.Arrays.copyOf(with, before.length)).isEqualTo(before);
            assertThat(with.length).isEqualTo(before.length + 17);
            UserState back = UserStateSerde.read(with);
            assertThat(back.eventsOffset).isEqualTo(123_456_789_012L);
            assertThat(back.outcomesOffset).isEqualTo(7);
            assertThat(UserStateSerde.write(back)).isEqualTo(with);
            byte[] unknown = with.clone();
            unknown[before.length] = 'x';
            assertThatThrownBy(() -> UserStateSerde.read(unknown)).isInstanceOf(SerializationException.class);
            assertThatThrownBy(() -> UserStateSerde.read(java.util.Arrays.copyOf(with, with.length - 3))).isInstanceOf(SerializationException.class);
        }
    }

    @Test
    void aStateWrittenAsJsonByAnEarlierVersionIsStillRead() throws Exception {
        UserState s = full();
        byte[] old = UserStateSerde.JSON.writeValueAsBytes(s);
        assertThat(old[0]).isEqualTo((byte) '{');
        assertThat(json(UserStateSerde.read(old))).isEqualTo(json(s));
        byte[] oldAlias = "{\"userKey\": \"anon-1\", \"aliasOf\": \"u-42\"}".getBytes();
        assertThat(UserStateSerde.read(oldAlias).aliasOf).isEqualTo("u-42");
    }

    @Test
    void anAliasRecordIsTinyAndSaysOnlyWhoItIs() {
        byte[] alias = UserStateSerde.write(UserState.alias("anon-1", "u-42"));
        assertThat(alias[0]).isEqualTo(UserStateSerde.ALIAS);
        assertThat(alias.length).isLessThan(32);
        UserState read = UserStateSerde.read(alias);
        assertThat(read.userKey).isEqualTo("anon-1");
        assertThat(read.aliasOf).isEqualTo("u-42");
    }

    @Test
    void aDamagedRecordIsASerializationErrorNotGarbage() {
        byte[] bytes = UserStateSerde.write(full());
        for (int cut : List.of(1, 5, bytes.length / 2, bytes.length - 1)) {
            assertThatThrownBy(() -> UserStateSerde.read(java.util.Arrays.copyOf(bytes, cut))).isInstanceOf(SerializationException.class);
        }
        byte[] lying = bytes.clone();
        lying[1] = 0x7f; // a string length far beyond the record
        assertThatThrownBy(() -> UserStateSerde.read(lying)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> UserStateSerde.read(new byte[] {9, 1, 2})).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown user state format");
    }
}
