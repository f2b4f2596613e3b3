package org.cvmfs.suite.protocol.repository;

import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.files.AtomicFile;

/**
 * {@code /etc/cvmfs/repositories.d/REPO/client.conf}, which upstream's mkfs writes for the
 * server's own client of the repository: {@code cvmfs_swissknife notify -s} and the mounts read
 * it. Same keys and values as upstream's, with this host's (relocatable) paths.
 */
public final class ClientConf {
    private ClientConf() {
    }

    public static String render(RepositoryLayout layout, String stratum0Url, String user) {
        String cache = layout.spoolDir().resolve("cache").toString();
        return "# Created by cvmfs_server.  Don't touch.\n"
                + "CVMFS_CACHE_BASE=" + cache + "\n"
                + "CVMFS_RELOAD_SOCKETS=" + cache + "\n"
                + "CVMFS_QUOTA_LIMIT=4000\n"
                + "CVMFS_MOUNT_DIR=/cvmfs\n"
                + "CVMFS_SERVER_URL=" + stratum0Url + "\n"
                + "CVMFS_HTTP_PROXY=DIRECT\n"
                + "CVMFS_PUBLIC_KEY=" + layout.keyDirectory().masterPublicKeyFile(layout.fqrn()) + "\n"
                + "CVMFS_CHECK_PERMISSIONS=yes\n"
                + "CVMFS_IGNORE_SIGNATURE=no\n"
                + "CVMFS_AUTO_UPDATE=no\n"
                + "CVMFS_NFS_SOURCE=no\n"
                + "CVMFS_MAGIC_XATTRS_VISIBILITY=never\n"
                + "CVMFS_FOLLOW_REDIRECTS=yes\n"
                + "CVMFS_SERVER_CACHE_MODE=yes\n"
                + "CVMFS_NFILES=65536\n"
                + "CVMFS_TALK_SOCKET=" + layout.spoolDir().resolve("cvmfs_io") + "\n"
                + "CVMFS_TALK_OWNER=" + user + "\n"
                + "CVMFS_USE_SSL_SYSTEM_CA=true\n";
    }

    static void write(RepositoryLayout layout, String stratum0Url, String user) {
        AtomicFile.replace(layout.clientConf(), render(layout, stratum0Url, user).getBytes(StandardCharsets.UTF_8));
    }
}
