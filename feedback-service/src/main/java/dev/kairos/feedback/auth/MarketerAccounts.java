package dev.kairos.feedback.auth;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-only marketer accounts for the dashboard, configured as {@code kairos.feedback.marketers}
 * ({@code KAIROS_MARKETER_ACCOUNTS}): comma-separated {@code username:pbkdf2-sha256$<iterations>$<salt>$<hash>}
 * entries (salt and hash in base64), made with {@link #main} so no password is ever stored. A
 * successful {@code POST /v1/login} opens a session: a random bearer token, kept in memory only,
 * valid for {@link #SESSION} (a restart signs everybody out). Unknown users cost the same hashing
 * as known ones, so timing does not reveal user names. Passwords and tokens are never logged.
 */
@Singleton
public class MarketerAccounts {
    /** How long a session lasts. */
    public static final Duration SESSION = Duration.ofHours(12);
    /** Iterations for new hashes (OWASP's PBKDF2-HMAC-SHA256 figure). */
    public static final int ITERATIONS = 210_000;
    static final String PREFIX = "pbkdf2-sha256";
    static final String TOKEN_PREFIX = "mk_";
    private static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Hash(int iterations, byte[] salt, byte[] hash) {}

    /** An open marketer session. */
    public record Session(String username, Instant expiresAt) {}

    private final Map<String, Hash> accounts = new LinkedHashMap<>();
    private final Hash dummy;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public MarketerAccounts(@Value("${kairos.feedback.marketers:}") String config) {
        if (config != null) {
            for (String entry : config.split(",")) {
                if (entry.isBlank()) continue;
                int colon = entry.indexOf(':');
                if (colon <= 0) throw new ConfigurationException("kairos.feedback.marketers: an entry is not 'username:hash'");
                String user = entry.substring(0, colon).strip();
                accounts.put(user, parse(user, entry.substring(colon + 1).strip()));
            }
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        dummy = new Hash(ITERATIONS, salt, pbkdf2(new char[] {'x'}, salt, ITERATIONS, 32));
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

    /** A new session token when the password is right, else empty. */
    public Optional<String> login(String username, String password) {
        Hash h = accounts.get(username);
        Hash check = h != null ? h : dummy;
        boolean ok = MessageDigest.isEqual(check.hash(), pbkdf2(password.toCharArray(), check.salt(), check.iterations(), check.hash().length));
        if (h == null || !ok) return Optional.empty();
        Instant now = Instant.now();
        sessions.values().removeIf(s -> s.expiresAt().isBefore(now));
        if (sessions.size() >= MAX_SESSIONS) return Optional.empty();
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        sessions.put(token, new Session(username, now.plus(SESSION)));
        return Optional.of(token);
    }

    /** The open session of {@code token}, if it is one and has not expired. */
    public Optional<Session> session(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) return Optional.empty();
        Session s = sessions.get(token);
        if (s == null) return Optional.empty();
        if (s.expiresAt().isBefore(Instant.now())) {
            sessions.remove(token);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    /** Ends a session (sign-out). */
    public void logout(String token) {
        if (token != null) sessions.remove(token);
    }

    /** Encodes a new hash of {@code password} for {@code kairos.feedback.marketers}. */
    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = pbkdf2(password, salt, ITERATIONS, 32);
        return PREFIX + "$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(h);
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
