package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * {@link UserState} as bytes, for the state store, its changelog, the signals topic and the
 * instance-to-instance lookup: a compact binary record, versioned by its first byte.
 *
 * <p>Format {@value #V1} (written since 0.2): the version byte, then every field in a fixed order;
 * format {@value #V3} (a user with exposures): the same, then the exposures (time, type,
 * placement, rule);
 * strings as a length ({@code -1} for null) and UTF-8, numbers big-endian, collections as a count
 * then their elements. Either may end with the offsets trailer: {@value #OFFSETS}, then the offsets of
 * the last {@code kairos.events} and {@code kairos.outcomes} records applied to the state (versions
 * before the trailer read a record up to its last field and ignore the rest, so they still read
 * these). An alias record is {@value #ALIAS} followed by the two ids.
 *
 * <p>Migration: records written before are JSON (first byte {@code '{'}) and are still read, so a
 * state store, changelog or signals topic of an earlier version needs no conversion: each user's
 * record is rewritten in the binary format at their next event. Thread-safe.
 */
public final class UserStateSerde implements Serde<UserState> {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    static final byte V1 = 1;
    static final byte ALIAS = 2;
    /** {@value #V1}'s fields, then the exposures; written only for users with exposures, so other records stay readable by earlier versions. */
    static final byte V3 = 3;
    /** The tag of the trailer that holds {@link UserState#eventsOffset} and {@link UserState#outcomesOffset}. */
    static final byte OFFSETS = 'o';
    private static final int HOURS = 24;

    public static byte[] write(UserState s) {
        if (s.aliasOf != null) return writeAlias(s.userKey, s.aliasOf);
        Writer w = new Writer(256 + 24 * 8 + 16 * (s.recentProductViews.size() + s.adTaps.size() + s.dwellByCategory.size()));
        boolean exposures = s.exposures != null && !s.exposures.isEmpty();
        w.b(exposures ? V3 : V1);
        w.str(s.userKey);
        w.i(s.aliases.size());
        for (String a : s.aliases) w.str(a);
        w.l(s.events).l(s.firstSeen).l(s.lastSeen).l(s.lastEventTime);
        w.str(s.sessionId);
        w.l(s.sessionStart).i(s.sessionPageViews).i(s.sessionProductViews).i(s.sessionTasks);
        w.b((byte) ((s.purchasedInSession ? 1 : 0) | (s.cartAddedInSession ? 2 : 0) | (s.checkoutInSession ? 4 : 0)));
        w.i(s.rapidRun).i(s.rapidBursts);
        w.i(s.dwellByCategory.size());
        for (Map.Entry<String, Double> e : s.dwellByCategory.entrySet()) w.str(e.getKey()).d(e.getValue() == null ? 0 : e.getValue());
        w.str(s.pageCategory);
        w.l(s.pageStart).d(s.pageScrollDepth);
        w.i(s.recentProductViews.size());
        for (UserState.ProductView v : s.recentProductViews) w.l(v.at()).str(v.category());
        w.i(s.cartItems).l(s.lastCartAdd).l(s.lastPurchase).l(s.lastProductView).i(s.failedPurchasesInRow);
        w.i(s.adTaps.size());
        for (Long t : s.adTaps) w.l(t == null ? 0 : t);
        w.str(s.lastSearch);
        w.i(s.sessions).i(s.cartSessions).d(s.avgSessionSeconds).d(s.varSessionSeconds).d(s.historyWeight).l(s.historyUpdated);
        double[] h = s.hourHistogram == null ? new double[HOURS] : s.hourHistogram;
        w.i(h.length);
        for (double v : h) w.d(v);
        if (exposures) {
            w.i(s.exposures.size());
            for (UserState.Exposure e : s.exposures) w.l(e.at()).str(e.type()).str(e.placement()).str(e.rule());
        }
        if (s.eventsOffset >= 0 || s.outcomesOffset >= 0) w.b(OFFSETS).l(s.eventsOffset).l(s.outcomesOffset);
        return w.bytes();
    }

    /** An alias record: only the two ids, so it stays small and cheap to recognise. */
    public static byte[] writeAlias(String anonymousId, String userId) {
        return new Writer(16 + 3 * (anonymousId.length() + userId.length())).b(ALIAS).str(anonymousId).str(userId).bytes();
    }

    public static UserState read(byte[] bytes) {
        if (bytes == null) return null;
        if (bytes.length == 0) throw new SerializationException("an empty user state record");
        try {
            switch (bytes[0]) {
                case V1: {
                    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                    return offsets(readV1(in), in);
                }
                case V3: {
                    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                    UserState s = readV1(in);
                    int n = count(in);
                    s.exposures = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        long at = in.getLong();
                        s.exposures.add(new UserState.Exposure(at, str(in), str(in), str(in)));
                    }
                    return offsets(s, in);
                }
                case ALIAS: {
                    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                    String anonymous = str(in);
                    return UserState.alias(anonymous, str(in));
                }
                case '{': return JSON.readValue(bytes, UserState.class); // written before the binary format
                default: throw new SerializationException("unknown user state format " + bytes[0]);
            }
        } catch (IOException | BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new SerializationException("cannot read user state", e);
        }
    }

    private static UserState readV1(ByteBuffer in) {
        UserState s = new UserState();
        s.userKey = str(in);
        int aliases = count(in);
        s.aliases = new LinkedHashSet<>(Math.max(4, aliases * 2));
        for (int i = 0; i < aliases; i++) s.aliases.add(str(in));
        s.events = in.getLong();
        s.firstSeen = in.getLong();
        s.lastSeen = in.getLong();
        s.lastEventTime = in.getLong();
        s.sessionId = str(in);
        s.sessionStart = in.getLong();
        s.sessionPageViews = in.getInt();
        s.sessionProductViews = in.getInt();
        s.sessionTasks = in.getInt();
        byte flags = in.get();
        s.purchasedInSession = (flags & 1) != 0;
        s.cartAddedInSession = (flags & 2) != 0;
        s.checkoutInSession = (flags & 4) != 0;
        s.rapidRun = in.getInt();
        s.rapidBursts = in.getInt();
        int dwell = count(in);
        s.dwellByCategory = new HashMap<>(Math.max(4, dwell * 2));
        for (int i = 0; i < dwell; i++) s.dwellByCategory.put(str(in), in.getDouble());
        s.pageCategory = str(in);
        s.pageStart = in.getLong();
        s.pageScrollDepth = in.getDouble();
        int views = count(in);
        s.recentProductViews = new ArrayList<>(views);
        for (int i = 0; i < views; i++) {
            long at = in.getLong();
            s.recentProductViews.add(new UserState.ProductView(at, str(in)));
        }
        s.cartItems = in.getInt();
        s.lastCartAdd = in.getLong();
        s.lastPurchase = in.getLong();
        s.lastProductView = in.getLong();
        s.failedPurchasesInRow = in.getInt();
        int taps = count(in);
        s.adTaps = new ArrayList<>(taps);
        for (int i = 0; i < taps; i++) s.adTaps.add(in.getLong());
        s.lastSearch = str(in);
        s.sessions = in.getInt();
        s.cartSessions = in.getInt();
        s.avgSessionSeconds = in.getDouble();
        s.varSessionSeconds = in.getDouble();
        s.historyWeight = in.getDouble();
        s.historyUpdated = in.getLong();
        int hours = count(in);
        double[] h = new double[HOURS];
        for (int i = 0; i < hours; i++) {
            double v = in.getDouble();
            if (i < HOURS) h[i] = v;
        }
        s.hourHistogram = h;
        return s;
    }

    /** Reads the offsets trailer if the record has one (records written before it do not: offsets -1). */
    private static UserState offsets(UserState s, ByteBuffer in) {
        if (in.remaining() == 0) return s;
        if (in.get() != OFFSETS) throw new IllegalArgumentException("unknown trailer after a user state");
        s.eventsOffset = in.getLong();
        s.outcomesOffset = in.getLong();
        return s;
    }

    private static int count(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("bad element count " + n);
        return n;
    }

    private static String str(ByteBuffer in) {
        int n = in.getInt();
        if (n == -1) return null;
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("bad string length " + n);
        String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
        in.position(in.position() + n);
        return s;
    }

    /** A growable big-endian buffer. */
    private static final class Writer {
        private byte[] buf;
        private int n;

        Writer(int capacity) {
            buf = new byte[Math.max(64, capacity)];
        }

        private void room(int more) {
            if (n + more > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }

        Writer b(byte v) {
            room(1);
            buf[n++] = v;
            return this;
        }

        Writer i(int v) {
            room(4);
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
            return this;
        }

        Writer l(long v) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) buf[n++] = (byte) (v >>> shift);
            return this;
        }

        Writer d(double v) {
            return l(Double.doubleToRawLongBits(v));
        }

        Writer str(String s) {
            if (s == null) return i(-1);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i(b.length);
            room(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
            return this;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf, n);
        }
    }

    @Override public Serializer<UserState> serializer() { return (topic, s) -> s == null ? null : write(s); }
    @Override public Deserializer<UserState> deserializer() { return (topic, b) -> read(b); }
}
