package dev.kairos.feedback.auth;

import dev.kairos.feedback.store.Migrations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Marketer sessions and lock-outs on a real database, run over H2 and PostgreSQL. Several
 * {@link MarketerAccounts} on one database stand for several instances (or a restart); time is a
 * settable clock, so nothing sleeps.
 */
abstract class MarketerAccountsContract {
    static final String PASSWORD = "correct horse battery staple";
    static final LoginPolicy POLICY = new LoginPolicy(3, Duration.ofMinutes(15), Duration.ofMinutes(10), 0, Duration.ofHours(12));
    static final String ACCOUNTS = "ana:" + MarketerAccounts.hash(PASSWORD.toCharArray(), 10_000)
            + ",ben:" + MarketerAccounts.hash("bens password".toCharArray(), 10_000);

    DataSource dataSource;
    final SettableClock clock = new SettableClock(Instant.parse("2026-03-02T09:00:00Z"));

    /** A new, empty database. */
    abstract DataSource newDataSource();

    @BeforeEach
    void migrate() {
        dataSource = newDataSource();
        Migrations.migrate(dataSource);
    }

    /** One service instance on the shared database. */
    MarketerAccounts instance(LoginPolicy policy) {
        return new MarketerAccounts(ACCOUNTS, new LoginStore(dataSource), policy, clock);
    }

    @Test
    void aSessionOpenedOnOneInstanceIsKnownToAnotherAndToARestartedOneUntilItIsSignedOut() {
        MarketerAccounts a = instance(POLICY), b = instance(POLICY);
        MarketerAccounts.SignIn in = a.login("ana", PASSWORD, "10.0.0.1").orElseThrow();
        assertThat(in.token()).startsWith("mk_");
        assertThat(in.session()).isEqualTo(new MarketerAccounts.Session("ana", clock.instant().plus(Duration.ofHours(12))));

        assertThat(b.session(in.token())).contains(in.session());
        assertThat(instance(POLICY).session(in.token())).as("after a restart").contains(in.session());

        b.logout(in.token());
        assertThat(a.session(in.token())).isEmpty();
        assertThat(rows("marketer_sessions")).isZero();
    }

    @Test
    void onlyTheSha256OfATokenIsStored() throws Exception {
        MarketerAccounts.SignIn in = instance(POLICY).login("ana", PASSWORD, null).orElseThrow();
        List<String> stored = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT token_hash, username FROM marketer_sessions")) {
            while (rs.next()) stored.add(rs.getString(1) + " " + rs.getString(2));
        }
        assertThat(stored).containsExactly(MarketerAccounts.sha256(in.token()) + " ana");
        assertThat(MarketerAccounts.sha256(in.token())).hasSize(64).doesNotContain(in.token().substring(3));
    }

    @Test
    void aSessionEndsAtItsExpiryAndExpiredSessionsArePurgedAtTheNextSignIn() {
        MarketerAccounts a = instance(POLICY);
        String token = a.login("ana", PASSWORD, null).orElseThrow().token();
        clock.advance(Duration.ofHours(12).minusMillis(1));
        assertThat(a.session(token)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(a.session(token)).isEmpty();
        assertThat(rows("marketer_sessions")).isEqualTo(1);

        a.login("ben", "bens password", null).orElseThrow();
        assertThat(rows("marketer_sessions")).as("only ben's new session is left").isEqualTo(1);
        assertThat(a.session(token)).isEmpty();
    }

    @Test
    void tooManyFailuresLockTheAccountOnEveryInstanceEvenForTheRightPasswordUntilTheCooldownEnds() {
        MarketerAccounts a = instance(POLICY), b = instance(POLICY);
        assertThat(a.login("ana", "guess 1", null)).isEmpty();
        assertThat(b.login("ana", "guess 2", null)).isEmpty();
        assertThat(a.login("ana", "guess 3", null)).as("the third failure is still answered as one").isEmpty();

        assertThatThrownBy(() -> a.login("ana", PASSWORD, null)).isInstanceOf(MarketerAccounts.LockedOut.class)
                .extracting(e -> ((MarketerAccounts.LockedOut) e).retryAfter()).isEqualTo(Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(4));
        assertThatThrownBy(() -> b.login("ana", PASSWORD, null)).isInstanceOf(MarketerAccounts.LockedOut.class)
                .extracting(e -> ((MarketerAccounts.LockedOut) e).retryAfter()).isEqualTo(Duration.ofMinutes(6));
        assertThat(b.login("ben", "bens password", null)).as("other accounts are not locked").isPresent();

        clock.advance(Duration.ofMinutes(6));
        assertThat(b.login("ana", PASSWORD, null)).as("the cooldown is over").isPresent();
    }

    @Test
    void attemptsDuringALockOutDoNotCountAndTheCountStartsAfreshAfterIt() {
        MarketerAccounts a = instance(POLICY);
        for (int i = 0; i < 3; i++) a.login("ana", "guess", null);
        for (int i = 0; i < 5; i++) assertThatThrownBy(() -> a.login("ana", "guess", null)).isInstanceOf(MarketerAccounts.LockedOut.class);
        clock.advance(Duration.ofMinutes(10));
        assertThat(a.login("ana", "guess", null)).isEmpty();
        assertThat(a.login("ana", "guess", null)).isEmpty();
        assertThat(a.login("ana", PASSWORD, null)).as("two failures after the lock-out do not lock again").isPresent();
    }

    @Test
    void aSuccessfulSignInResetsTheAccountsFailureCount() {
        MarketerAccounts a = instance(POLICY);
        assertThat(a.login("ana", "guess", null)).isEmpty();
        assertThat(a.login("ana", "guess", null)).isEmpty();
        assertThat(a.login("ana", PASSWORD, null)).isPresent();
        assertThat(a.login("ana", "guess", null)).isEmpty();
        assertThat(a.login("ana", "guess", null)).isEmpty();
        assertThat(a.login("ana", PASSWORD, null)).as("2 + 2 failures with a success between: not locked").isPresent();
    }

    @Test
    void failuresOlderThanTheWindowDoNotAddUp() {
        MarketerAccounts a = instance(POLICY);
        a.login("ana", "guess", null);
        a.login("ana", "guess", null);
        clock.advance(Duration.ofMinutes(15));
        a.login("ana", "guess", null);
        a.login("ana", "guess", null);
        assertThat(a.login("ana", PASSWORD, null)).isPresent();
    }

    @Test
    void unknownUserNamesAreLockedLikeKnownOnes() {
        MarketerAccounts a = instance(POLICY);
        for (int i = 0; i < 3; i++) assertThat(a.login("nobody", "guess", null)).isEmpty();
        assertThatThrownBy(() -> a.login("nobody", "guess", null)).isInstanceOf(MarketerAccounts.LockedOut.class);
    }

    @Test
    void tooManyFailuresFromOneAddressLockThatAddressForEveryAccount() {
        LoginPolicy perAddress = new LoginPolicy(3, Duration.ofMinutes(15), Duration.ofMinutes(10), 4, Duration.ofHours(12));
        MarketerAccounts a = instance(perAddress);
        a.login("ana", "guess", "192.0.2.9");
        a.login("ana", "guess", "192.0.2.9");
        a.login("ben", "guess", "192.0.2.9");
        a.login("ben", "guess", "192.0.2.9");
        assertThatThrownBy(() -> a.login("ben", "bens password", "192.0.2.9")).isInstanceOf(MarketerAccounts.LockedOut.class);
        assertThat(a.login("ben", "bens password", "198.51.100.1")).as("from another address").isPresent();
        clock.advance(Duration.ofMinutes(10));
        assertThat(a.login("ana", PASSWORD, "192.0.2.9")).isPresent();
    }

    @Test
    void parallelWrongPasswordsCannotAllSlipPastTheLimit() throws Exception {
        // 40 wrong passwords at once for one account, 40 more from one address over many accounts:
        // only as many are checked as the limits allow; the rest are refused before any hashing.
        LoginPolicy policy = new LoginPolicy(5, Duration.ofMinutes(15), Duration.ofMinutes(15), 20, Duration.ofHours(12));
        MarketerAccounts a = instance(policy), b = instance(policy);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(40);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                MarketerAccounts instance = i % 2 == 0 ? a : b;
                int n = i;
                answers.add(pool.submit(() -> {
                    go.await();
                    try {
                        return instance.login("ana", "guess " + n, null).isPresent() ? "in" : "checked";
                    } catch (MarketerAccounts.LockedOut e) {
                        return "refused";
                    }
                }));
            }
            go.countDown();
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (var f : answers) counts.merge(f.get(), 1, Integer::sum);
            assertThat(counts).as("per account").isEqualTo(java.util.Map.of("checked", 5, "refused", 35));

            java.util.concurrent.CountDownLatch go2 = new java.util.concurrent.CountDownLatch(1);
            answers.clear();
            for (int i = 0; i < 40; i++) {
                int n = i;
                answers.add(pool.submit(() -> {
                    go2.await();
                    try {
                        return a.login("user" + n, "guess", "203.0.113.5").isPresent() ? "in" : "checked";
                    } catch (MarketerAccounts.LockedOut e) {
                        return "refused";
                    }
                }));
            }
            go2.countDown();
            counts.clear();
            for (var f : answers) counts.merge(f.get(), 1, Integer::sum);
            assertThat(counts).as("per address").isEqualTo(java.util.Map.of("checked", 20, "refused", 20));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMalformedAccountEntryIsAConfigurationErrorThatDoesNotEchoIt() {
        assertThatThrownBy(() -> MarketerAccounts.parseAccounts("ana:plaintext-password"))
                .isInstanceOf(io.micronaut.context.exceptions.ConfigurationException.class)
                .hasMessageContaining("ana").hasMessageNotContaining("plaintext-password");
        assertThat(MarketerAccounts.parseAccounts(" ")).isEmpty();
        assertThat(instance(POLICY).any()).isTrue();
    }

    long rows(String table) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock the test moves by hand. */
    static final class SettableClock extends Clock {
        private volatile Instant now;

        SettableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
