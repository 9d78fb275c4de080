package dev.npukit.serving.store;

import dev.npukit.util.Check;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the Redis tier connects: {@code redis://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT...][/DB]}, or
 * {@code rediss://...} for TLS. Several hosts name seed nodes of a Redis Cluster; one host is a standalone server
 * or a cluster node (the tier asks the server which). USER and PASSWORD are URL-decoded.
 *
 * @param hosts host and port of each node given
 * @param user ACL user name, or null for the default user
 * @param password password, or null for none
 * @param tls whether to connect with TLS (the JVM's trust store verifies the server)
 * @param database database number of a standalone server (a cluster has only 0)
 */
public record RedisTarget(List<HostPort> hosts, String user, String password, boolean tls, int database) {
    /**
     * One node's address.
     *
     * @param host a host name or IP address (an IPv6 address without brackets)
     * @param port the TCP port, 1..65535
     */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /**
     * A target; {@code hosts} is copied.
     *
     * @param hosts host and port of each node
     * @param user ACL user name, or null
     * @param password password, or null
     * @param tls whether to connect with TLS
     * @param database database number
     * @throws NullPointerException if {@code hosts} or one of its elements is null
     */
    public RedisTarget {
        hosts = List.copyOf(hosts);
    }

    /**
     * Whether {@code spec} is a Redis URI.
     *
     * @param spec a chunk store spec or URI; may be null
     * @return true if it starts with {@code redis://} or {@code rediss://}
     */
    public static boolean isRedisUri(String spec) {
        return spec != null && (spec.startsWith("redis://") || spec.startsWith("rediss://"));
    }

    /**
     * Parses a Redis URI of the form in the class comment.
     *
     * @param uri the URI, e.g. {@code redis://:secret@10.0.0.5:6379/2} or {@code redis://h1:7000,h2:7000}
     * @return the target; database 0 when the URI names none
     * @throws IllegalArgumentException naming what is wrong: another scheme, a host without a port, a port
     *     outside 1..65535, a database that is not a number &gt;= 0, or a database other than 0 with several hosts
     */
    public static RedisTarget parse(String uri) {
        Check.arg(isRedisUri(uri), "uri", "must start with redis:// or rediss://, got %s", uri);
        boolean tls = uri.startsWith("rediss://");
        String rest = uri.substring(tls ? 9 : 8);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            String u = colon >= 0 ? info.substring(0, colon) : "";
            String p = colon >= 0 ? info.substring(colon + 1) : info;
            user = u.isEmpty() ? null : URLDecoder.decode(u, StandardCharsets.UTF_8);
            password = p.isEmpty() ? null : URLDecoder.decode(p, StandardCharsets.UTF_8);
        }
        int database = 0;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                try {
                    database = Integer.parseInt(db);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("uri: database '" + db + "' is not a number", e);
                }
                Check.arg(database >= 0, "uri", "database %d is negative", database);
            }
        }
        List<HostPort> hosts = new ArrayList<>();
        for (String hp : rest.split(",", -1)) {
            hosts.add(hostPort(hp));
        }
        Check.arg(hosts.size() == 1 || database == 0, "uri", "a cluster (several hosts) has only database 0, got %d",
                database);
        return new RedisTarget(hosts, user, password, tls, database);
    }

    private static HostPort hostPort(String hp) {
        String host;
        String port;
        if (hp.startsWith("[")) {
            int end = hp.indexOf(']');
            Check.arg(end > 1 && hp.startsWith(":", end + 1), "uri", "host '%s' must be [IPV6]:PORT", hp);
            host = hp.substring(1, end);
            port = hp.substring(end + 2);
        } else {
            int colon = hp.lastIndexOf(':');
            Check.arg(colon > 0, "uri", "host '%s' must be HOST:PORT", hp);
            host = hp.substring(0, colon);
            port = hp.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("uri: port '" + port + "' of '" + hp + "' is not a number", e);
        }
        Check.arg(p > 0 && p < 65536, "uri", "port %d of '%s' is outside 1..65535", p, hp);
        return new HostPort(host, p);
    }

    /** The URI without the password, for logs and reports. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(tls ? "rediss://" : "redis://");
        if (user != null || password != null) {
            s.append(user == null ? "" : user).append(password == null ? "" : ":***").append('@');
        }
        for (int i = 0; i < hosts.size(); i++) {
            s.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        return database == 0 ? s.toString() : s.append('/').append(database).toString();
    }
}
