package dev.kairos.feedback.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** Nullable numeric columns, shared by the feedback service's stores. */
public final class Columns {
    private Columns() {}

    /** Sets parameter {@code i} to {@code v}, or SQL {@code NULL} when {@code v} is null or not finite. */
    public static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || !Double.isFinite(v)) ps.setNull(i, Types.DOUBLE);
        else ps.setDouble(i, v);
    }

    /** Column {@code col}, or null for SQL {@code NULL}. */
    public static Double getDouble(ResultSet rs, String col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    /** Sets parameter {@code i} to {@code v}, or SQL {@code NULL}. */
    public static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    /** Column {@code col}, or null for SQL {@code NULL}. */
    public static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }
}
