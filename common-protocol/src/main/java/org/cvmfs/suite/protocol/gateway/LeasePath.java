package org.cvmfs.suite.protocol.gateway;

import java.nio.charset.StandardCharsets;

/**
 * What a lease covers: a repository and a subpath inside it. The wire form is
 * {@code <repo>/<subpath>}; the repository is the text before the first slash, and the subpath
 * keeps that slash, so {@code repo/} is the whole repository. Upstream stores the subpath
 * verbatim; on top of its two refusals we refuse forms no publisher sends and a receiver must
 * never see: {@code .} and {@code ..} components, empty inner components, control characters
 * and paths over {@value #MAX_BYTES} bytes.
 */
public record LeasePath(String repository, String subpath) {
    public static final int MAX_BYTES = 4096;

    public LeasePath {
        if (repository == null || repository.isEmpty() || repository.indexOf('/') >= 0) {
            throw new LeasePathException("missing repository name or subpath");
        }
        if (subpath == null || !subpath.startsWith("/")) {
            throw new LeasePathException("missing repository name or subpath");
        }
        validate(repository + subpath);
    }

    /** Parses the wire form; refusal messages for upstream's two cases are upstream's reasons. */
    public static LeasePath parse(String wire) {
        if (wire == null) {
            throw new LeasePathException("missing repository name or subpath");
        }
        if (wire.startsWith("/")) {
            throw new LeasePathException("input has leading slash");
        }
        int slash = wire.indexOf('/');
        if (slash < 0) {
            throw new LeasePathException("missing repository name or subpath");
        }
        return new LeasePath(wire.substring(0, slash), wire.substring(slash));
    }

    /** A lease on the whole repository. */
    public static LeasePath wholeRepository(String repository) {
        return new LeasePath(repository, "/");
    }

    /** {@code repo/sub/path}: the form on the wire and in lease listings. */
    public String toWire() {
        return repository + subpath;
    }

    /** {@code repo/sub/path} with the root as {@code repo/}: the receiver's and statistics' key. */
    public String combined() {
        return repository + "/" + subpath.substring(1);
    }

    /**
     * Upstream's conflict rule: same repository, and either subpath is a prefix of the other as
     * an SQL {@code LIKE 'prefix%'} pattern (string prefix, ASCII case-insensitive, {@code _}
     * and {@code %} in the prefix acting as wildcards). Deliberately not component-aware:
     * {@code /foo} and {@code /foobar} conflict, as they do upstream.
     */
    public boolean conflictsWith(LeasePath other) {
        return repository.equals(other.repository)
                && (likePrefix(subpath, other.subpath) || likePrefix(other.subpath, subpath));
    }

    /**
     * True if {@code text LIKE prefix || '%'} in SQLite semantics. Also the rule of the admin
     * "cancel leases by path" request.
     */
    public static boolean likePrefix(String text, String prefix) {
        int[] t = text.codePoints().toArray();
        int[] p = (prefix + "%").codePoints().toArray();
        int ti = 0;
        int pi = 0;
        int starP = -1;
        int starT = -1;
        while (ti < t.length) {
            if (pi < p.length && p[pi] == '%') {
                starP = pi++;
                starT = ti;
            } else if (pi < p.length && (p[pi] == '_' || asciiFold(p[pi]) == asciiFold(t[ti]))) {
                pi++;
                ti++;
            } else if (starP >= 0) {
                pi = starP + 1;
                ti = ++starT;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '%') {
            pi++;
        }
        return pi == p.length;
    }

    /**
     * Upstream's key restriction rule: a key configured with path {@code keyPath} for this
     * repository may lease this subpath if the two agree component by component over the
     * shorter of them and the subpath is at least as long. {@code "/"} and {@code ""} allow all.
     */
    public boolean permittedBy(String keyPath) {
        String p = subpath.substring(1);
        String k = keyPath.startsWith("/") ? keyPath.substring(1) : keyPath;
        boolean overlap = p.isEmpty() || k.isEmpty();
        if (!overlap) {
            String[] pc = p.split("/", -1);
            String[] kc = k.split("/", -1);
            overlap = true;
            for (int i = 0; i < Math.min(pc.length, kc.length); i++) {
                if (!pc[i].equals(kc[i])) {
                    overlap = false;
                    break;
                }
            }
        }
        return overlap && utf8Length(subpath) >= utf8Length(keyPath);
    }

    @Override
    public String toString() {
        return toWire();
    }

    private static void validate(String wire) {
        if (utf8Length(wire) > MAX_BYTES) {
            throw new LeasePathException("lease path is longer than " + MAX_BYTES + " bytes");
        }
        for (int i = 0; i < wire.length(); i++) {
            char c = wire.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new LeasePathException("lease path contains the control character 0x"
                        + Integer.toHexString(c));
            }
        }
        String sub = wire.substring(wire.indexOf('/') + 1);
        if (sub.isEmpty()) {
            return;
        }
        String[] components = sub.split("/", -1);
        for (int i = 0; i < components.length; i++) {
            String c = components[i];
            if (c.equals(".") || c.equals("..")) {
                throw new LeasePathException("lease path contains a '" + c + "' component");
            }
            if (c.isEmpty() && i != components.length - 1) {
                throw new LeasePathException("lease path contains an empty component");
            }
        }
    }

    private static int asciiFold(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
