package dev.kairos.server.signals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/** JSON (de)serialization of {@link UserState} for the state store and the signals topic. */
public final class UserStateSerde implements Serde<UserState> {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public static byte[] write(UserState s) {
        if (s.aliasOf != null) return writeAlias(s.userKey, s.aliasOf);
        try {
            return JSON.writeValueAsBytes(s);
        } catch (IOException e) {
            throw new SerializationException("cannot write user state", e);
        }
    }

    /** An alias record: only the two ids, so it stays small and cheap to recognise. */
    public static byte[] writeAlias(String anonymousId, String userId) {
        return JSON.createObjectNode().put("userKey", anonymousId).put("aliasOf", userId).toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static UserState read(byte[] bytes) {
        if (bytes == null) return null;
        try {
            return JSON.readValue(bytes, UserState.class);
        } catch (IOException e) {
            throw new SerializationException("cannot read user state", e);
        }
    }

    @Override public Serializer<UserState> serializer() { return (topic, s) -> s == null ? null : write(s); }
    @Override public Deserializer<UserState> deserializer() { return (topic, b) -> read(b); }
}
