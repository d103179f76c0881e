package dev.kairos.feedback.auth;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only marketer accounts for the dashboard, configured as {@code kairos.feedback.marketers}
 * ({@code KAIROS_MARKETER_ACCOUNTS}): comma-separated {@code username:pbkdf2-sha256$<iterations>$<salt>$<hash>}
 * entries (salt and hash in base64), made with {@link #main} so no password is ever stored.
 *
 * <p>A successful {@link #login} opens a session: a random bearer token whose SHA-256 (never the
 * token) is stored in the database ({@link LoginStore}) with its expiry ({@link LoginPolicy#session()},
 * default 12 hours), so sessions survive a restart and every instance knows them; {@link #logout}
 * deletes it, and expired sessions are purged at each sign-in.
 *
 * <p>Failed sign-ins are counted per account and per client address, in the database too: after
 * {@link LoginPolicy#maxFailures()} failures for an account within {@link LoginPolicy#window()} (or
 * {@link LoginPolicy#addressMaxFailures()} from an address), every sign-in to it is refused with
 * {@link LockedOut}, even with the right password, for {@link LoginPolicy#lockout()}. A successful
 * sign-in clears the account's count (not the address's: one good account must not launder guesses
 * at others). Unknown user names are counted and locked like known ones, and cost the same hashing,
 * so neither answers nor timing reveal which names exist. Passwords and tokens are never logged.
 *
 * <pre>Optional&lt;SignIn&gt; in = accounts.login("ana", password, "203.0.113.7");   // throws LockedOut when locked
 *accounts.session(in.get().token());                                    // on any instance, until expiry
 *accounts.logout(in.get().token());</pre>
 *
 * Thread-safe; time comes from the injected {@link Clock}.
 */
@Singleton
public class MarketerAccounts {
    /** Iterations for new hashes (OWASP's PBKDF2-HMAC-SHA256 figure). */
    public static final int ITERATIONS = 210_000;
    static final String PREFIX = "pbkdf2-sha256";
    static final String TOKEN_PREFIX = "mk_";
    private static final Logger LOG = LoggerFactory.getLogger(MarketerAccounts.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Hash(int iterations, byte[] salt, byte[] hash) {}

    /** An open marketer session. */
    public record Session(String username, Instant expiresAt) {}

    /** A successful sign-in: the bearer token (shown once, never stored) and its session. */
    public record SignIn(String token, Session session) {}

    /** Sign-in refused because the account or the client address is locked out; try again after {@link #retryAfter()}. */
    public static final class LockedOut extends RuntimeException {
        private final Duration retryAfter;

        LockedOut(Duration retryAfter) {
            super("too many failed sign-ins", null, false, false);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private final Map<String, Hash> accounts;
    private final Hash dummy;
    private final LoginStore store;
    private final LoginPolicy policy;
    private final Clock clock;

    @Inject
    public MarketerAccounts(@Value("${kairos.feedback.marketers:}") String config, LoginStore store, LoginPolicy policy) {
        this(config, store, policy, Clock.systemUTC());
    }

    MarketerAccounts(String config, LoginStore store, LoginPolicy policy, Clock clock) {
        this.accounts = parseAccounts(config);
        this.store = store;
        this.policy = policy;
        this.clock = clock;
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        dummy = new Hash(ITERATIONS, salt, pbkdf2(new char[] {'x'}, salt, ITERATIONS, 32));
    }

    /** Parses {@code kairos.feedback.marketers}; a malformed entry is a {@link ConfigurationException} that does not echo it. */
    static Map<String, Hash> parseAccounts(String config) {
        Map<String, Hash> accounts = new LinkedHashMap<>();
        if (config != null) {
            for (String entry : config.split(",")) {
                if (entry.isBlank()) continue;
                int colon = entry.indexOf(':');
                if (colon <= 0) throw new ConfigurationException("kairos.feedback.marketers: an entry is not 'username:hash'");
                String user = entry.substring(0, colon).strip();
                accounts.put(user, parse(user, entry.substring(colon + 1).strip()));
            }
        }
        return accounts;
    }

    private static Hash parse(String user, String encoded) {
        String[] parts = encoded.split("\\$");
        try {
            if (parts.length != 4 || !parts[0].equals(PREFIX)) throw new IllegalArgumentException();
            int iterations = Integer.parseInt(parts[1]);
            if (iterations < 10_000) throw new IllegalArgumentException();
            return new Hash(iterations, Base64.getDecoder().decode(parts[2]), Base64.getDecoder().decode(parts[3]));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("kairos.feedback.marketers: the hash of '" + user + "' is not "
                    + PREFIX + "$<iterations ≥ 10000>$<salt>$<hash>");
        }
    }

    /** Whether any marketer account is configured. */
    public boolean any() {
        return !accounts.isEmpty();
    }

    /**
     * Signs {@code username} in: a new session when the password is right, empty when it is not
     * (the failure is counted against the account and {@code clientAddress}).
     *
     * @param clientAddress the client's IP address, for the per-address limit; {@code null}: none
     * @throws LockedOut when the account or address is locked out (the password is not even checked)
     */
    public Optional<SignIn> login(String username, String password, @Nullable String clientAddress) {
        long now = clock.millis();
        String account = "account:" + username;
        String address = clientAddress == null || policy.addressMaxFailures() == 0 ? null : "address:" + clientAddress;
        store.purge(now, policy.window().toMillis());
        long until = now + policy.lockout().toMillis();
        // Count the attempt before the (slow) password check: parallel attempts cannot all slip past the limit.
        LoginStore.Attempt byAccount = store.reserveAttempt(account, now, policy.window().toMillis(), policy.maxFailures(), until);
        if (byAccount.refusedUntil() > now) throw new LockedOut(Duration.ofMillis(byAccount.refusedUntil() - now));
        LoginStore.Attempt byAddress = address == null ? new LoginStore.Attempt(0, false)
                : store.reserveAttempt(address, now, policy.window().toMillis(), policy.addressMaxFailures(), until);
        if (byAddress.refusedUntil() > now) {
            // The address is locked: this was no attempt on the account.
            store.releaseAttempt(account, byAccount);
            throw new LockedOut(Duration.ofMillis(byAddress.refusedUntil() - now));
        }

        Hash h = accounts.get(username);
        Hash check = h != null ? h : dummy;
        boolean ok = MessageDigest.isEqual(check.hash(), pbkdf2(password.toCharArray(), check.salt(), check.iterations(), check.hash().length));
        if (h == null || !ok) {
            if (byAccount.locks()) {
                LOG.warn("marketer sign-in locked for account '{}' for {} after {} failures", printable(username), policy.lockout(), policy.maxFailures());
            }
            if (byAddress.locks()) {
                LOG.warn("marketer sign-in locked for client address {} for {} after {} failures", clientAddress, policy.lockout(),
                        policy.addressMaxFailures());
            }
            return Optional.empty();
        }
        store.clearFailures(account);
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        long expiresAt = now + policy.session().toMillis();
        store.createSession(sha256(token), username, now, expiresAt);
        return Optional.of(new SignIn(token, new Session(username, Instant.ofEpochMilli(expiresAt))));
    }

    /** The open session of {@code token}, if it is one and has not expired. */
    public Optional<Session> session(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 128) return Optional.empty();
        return store.session(sha256(token), clock.millis()).map(s -> new Session(s.username(), Instant.ofEpochMilli(s.expiresAt())));
    }

    /** Ends a session (sign-out), on every instance. */
    public void logout(String token) {
        if (token != null && token.startsWith(TOKEN_PREFIX) && token.length() <= 128) store.deleteSession(sha256(token));
    }

    /** Hex SHA-256 of a token: what the database keeps instead of it. */
    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** A user name as typed, safe for one log line. */
    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /** Encodes a new hash of {@code password} for {@code kairos.feedback.marketers}. */
    public static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    /** {@link #hash(char[])} with fewer iterations (at least 10,000), for fast tests. */
    static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = pbkdf2(password, salt, iterations, 32);
        return PREFIX + "$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(h);
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bytes) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, bytes * 8)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    /**
     * Prints the hash of a password read from standard input (one line), for an account entry:
     * {@code java -cp 'feedback-service/target/*:feedback-service/target/lib/*' dev.kairos.feedback.auth.MarketerAccounts}.
     */
    public static void main(String[] args) throws Exception {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            System.err.println("usage: echo -n '<password>' | java ... dev.kairos.feedback.auth.MarketerAccounts");
            System.exit(2);
        }
        System.out.println(hash(line.toCharArray()));
    }
}
