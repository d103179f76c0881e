package dev.kairos.server.signals;

/**
 * A value of the {@code seen-events} store: when the engine first saw an event id (epoch ms) and
 * where — the record's position ({@link SignalProcessor}: its offset, and which input topic), so a
 * record the engine sees again after a crash is told from a retry of the same event sent again.
 * Eight bytes big-endian for the time, then eight for the position; values written before the
 * position was kept (and the processor's marker) have only the first eight, read as position -1.
 */
final class SeenValue {
    private SeenValue() {}

    static byte[] of(long at, long position) {
        byte[] b = new byte[16];
        put(b, 0, at);
        put(b, 8, position);
        return b;
    }

    /** A value of eight bytes: {@code v} alone (the marker's, and the format before the position). */
    static byte[] of(long v) {
        byte[] b = new byte[8];
        put(b, 0, v);
        return b;
    }

    /** When the id was seen (or the marker's value); {@link Long#MIN_VALUE} for a value too short to say. */
    static long at(byte[] v) {
        return v == null || v.length < 8 ? Long.MIN_VALUE : get(v, 0);
    }

    /** The position of the record that was seen with the id, -1 if the value does not say. */
    static long position(byte[] v) {
        return v == null || v.length < 16 ? -1 : get(v, 8);
    }

    private static void put(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) b[at + i] = (byte) (v >>> (56 - 8 * i));
    }

    private static long get(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (b[at + i] & 0xFF);
        return v;
    }
}
