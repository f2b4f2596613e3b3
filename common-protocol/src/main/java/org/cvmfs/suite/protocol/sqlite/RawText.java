package org.cvmfs.suite.protocol.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * The JDBC boundary of {@link RawName}: TEXT columns holding arbitrary bytes, as upstream's
 * {@code sqlite3_bind_text} writes names, symlink targets, nested catalog paths and properties
 * (SQLite never checks that TEXT is UTF-8). The driver's {@code getString}/{@code setString}
 * would turn bytes that are not UTF-8 into replacement characters, so such a column is read as
 * {@code CAST(column AS BLOB)} ({@link #read}) and bound as {@code CAST(? AS TEXT)}
 * ({@link #BIND}): the stored value stays TEXT and byte-for-byte what it was. Valid UTF-8 is
 * bound through {@code setString} exactly as before, so such catalogs are byte-identical.
 */
public final class RawText {
    /** The placeholder of a raw TEXT parameter. */
    public static final String BIND = "CAST(? AS TEXT)";

    private RawText() {
    }

    /** The select expression for a raw TEXT column. */
    public static String read(String column) {
        return "CAST(" + column + " AS BLOB)";
    }

    /** Binds {@code value} (RawName form, null for NULL) to a {@link #BIND} placeholder. */
    public static void bind(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else if (RawName.isText(value)) {
            s.setString(index, value);
        } else {
            s.setBytes(index, RawName.encode(value));
        }
    }

    /** The value of a {@link #read} column in RawName form; null for NULL. */
    public static String get(ResultSet rs, int index) throws SQLException {
        byte[] bytes = rs.getBytes(index);
        if (bytes == null) {
            // the driver answers null both for NULL and for a zero-length value
            return rs.wasNull() ? null : "";
        }
        return RawName.decode(bytes);
    }
}
