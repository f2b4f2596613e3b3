package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.DirectoryTree;

/**
 * Shows the working tree where users and scripts expect the repository, {@code /cvmfs/REPO/PATH},
 * by an overlay of the spool's lower and upper trees ({@link #mountOverlay}) or a bind mount of
 * the spool's copy (root only): writable during the transaction, read-only while publishing, gone
 * afterwards, as upstream's overlay is. Every step is idempotent, so a command interrupted
 * between mounting and recording its state can simply run again. Being root is not enough to
 * mount (a container without {@code CAP_SYS_ADMIN}, a user namespace): {@link #permitted} tries a
 * bind mount between two scratch directories first, and without it the working tree is edited
 * where it is, in the spool.
 */
public final class WorkTreeMount {
    /** The overlay option that keeps its unmount from syncing the upper file system; see {@link #overlayPermitted}. */
    private static final String VOLATILE = ",volatile";
    private final Path repositoryMount;

    /** @param repositoryMount {@code /cvmfs/REPO} ({@code CVMFS_UNION_DIR}) */
    public WorkTreeMount(Path repositoryMount) {
        this.repositoryMount = repositoryMount.toAbsolutePath().normalize();
    }

    /**
     * Whether this process may bind-mount: a trial mount of one empty scratch directory below
     * {@code scratch} onto another, undone at once. Nothing is left behind either way.
     */
    public static boolean permitted(Path scratch) {
        Path source = scratch.resolve("source");
        Path target = scratch.resolve("target");
        try {
            DirectoryTree.delete(scratch);
            Files.createDirectories(source);
            Files.createDirectories(target);
            if (exec("mount", "--bind", source.toString(), target.toString()).status() != 0) {
                return false;
            }
            run("umount", target.toString());
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the bind mount probe in " + scratch, e);
        } finally {
            DirectoryTree.delete(scratch);
        }
    }

    /**
     * Whether this process may mount an overlay of spool directories: a trial mount below
     * {@code scratch} (which must be on the spool's file system: an upper layer on an overlay or
     * a file system without whiteouts and user xattrs is refused by the kernel), undone at once.
     * The trial is {@code volatile} where the kernel has it (Linux 5.10), so that undoing it syncs
     * nothing: an overlay's unmount otherwise writes out everything dirty on the upper file
     * system, which cost a {@code transaction} opened right after a 50,000-file publication 1.3 s.
     */
    public static boolean overlayPermitted(Path scratch) {
        try {
            DirectoryTree.delete(scratch);
            Path target = scratch.resolve("target");
            for (String dir : List.of("lower", "upper", "work", "target")) {
                Files.createDirectories(scratch.resolve(dir));
            }
            String options = overlayOptions(scratch.resolve("lower"), scratch.resolve("upper"), scratch.resolve("work"));
            if (exec(overlayMount(options + VOLATILE, target)).status() != 0 && exec(overlayMount(options, target)).status() != 0) {
                return false;
            }
            run("umount", target.toString());
            return true;
        } catch (PublisherException unusablePath) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the overlay mount probe in " + scratch, e);
        } finally {
            DirectoryTree.delete(scratch);
        }
    }

    /**
     * Mounts {@code lower} (read-only) under {@code upper} (where every change lands) at
     * {@code /cvmfs/REPO/PATH}; {@code work} is the overlay's scratch, on upper's file system.
     * Nothing may be mounted there: the layers must not change under a mounted overlay, so the
     * caller unmounts before it prepares them.
     *
     * <p>Not {@code volatile}, unlike the trial: unmounting it after a publication syncs the upper
     * file system (0.12-0.22 s after 10,000 new files), and that sync is what makes the upper
     * files' data durable before the fold records the lower tree current. Writing them out
     * beside the publication instead ({@code sync -f} from the moment the layer froze) measured
     * no faster on this kind of machine, the writeback slowing the scan by what it saved the fold;
     * started after the scan, it made the upload's tail 2.4 s instead of 0.15 s (the gateway's
     * object writes on the same disk waiting for it).
     */
    public void mountOverlay(Path lower, Path upper, Path work, RepositoryPath leasePath) {
        Path target = mountpoint(leasePath);
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create mountpoint " + target, e);
        }
        run(overlayMount(overlayOptions(lower, upper, work), target));
    }

    private static String[] overlayMount(String options, Path target) {
        return new String[] {"mount", "-t", "overlay", "overlay", "-o", options, target.toString()};
    }

    /**
     * {@code userxattr}: the overlay marks opaque directories with {@code user.overlay.opaque}
     * instead of upstream's {@code trusted.overlay.opaque}, which Java can read (its xattr view
     * covers only the user namespace); whiteouts stay character devices 0/0. No metacopy, no
     * index, and (implied by userxattr) no directory redirects: every changed file is copied up
     * whole, a renamed lower directory is copied, and the lower tree is never written by the kernel.
     */
    private static String overlayOptions(Path lower, Path upper, Path work) {
        return "lowerdir=" + optionPath(lower) + ",upperdir=" + optionPath(upper) + ",workdir=" + optionPath(work)
                + ",userxattr,metacopy=off,index=off";
    }

    /** Mount options are separated by commas and lowerdir stacks layers with colons: neither may appear in a spool path. */
    private static String optionPath(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\")) {
            throw new PublisherException(PublisherException.FAILED, "cannot mount an overlay of " + s
                    + ": the path holds a comma, colon or backslash");
        }
        return s;
    }

    public Path mountpoint(RepositoryPath leasePath) {
        return leasePath.isRoot() ? repositoryMount : repositoryMount.resolve(leasePath.relative());
    }

    public void mountWritable(Path workTree, RepositoryPath leasePath) {
        Path target = mountpoint(leasePath);
        if (isMounted(target)) {
            run("mount", "-o", "remount,rw,bind", target.toString());
            return;
        }
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create mountpoint " + target, e);
        }
        run("mount", "--bind", workTree.toAbsolutePath().toString(), target.toString());
    }

    /** Freezes the tree while it is published, so that what is scanned is what gets published. */
    public void makeReadOnly(RepositoryPath leasePath) {
        Path target = mountpoint(leasePath);
        if (isMounted(target)) {
            run("mount", "-o", "remount,ro,bind", target.toString());
        }
    }

    public void makeWritable(RepositoryPath leasePath) {
        Path target = mountpoint(leasePath);
        if (isMounted(target)) {
            run("mount", "-o", "remount,rw,bind", target.toString());
        }
    }

    public void unmount(RepositoryPath leasePath) {
        Path target = mountpoint(leasePath);
        if (isMounted(target)) {
            run("umount", target.toString());
        }
    }

    public boolean isMounted(Path target) {
        String wanted = target.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
    private static String unescape(String field) {
        StringBuilder b = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private record Outcome(int status, String output) {
    }

    private static void run(String... command) {
        Outcome o = exec(command);
        if (o.status() != 0) {
            throw new PublisherException(PublisherException.FAILED, String.join(" ", command) + " failed ("
                    + o.status() + "): " + o.output() + (command[0].equals("umount") ? " (is a shell still inside it?)" : ""));
        }
    }

    private static Outcome exec(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return new Outcome(p.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublisherException(PublisherException.FAILED, "interrupted while running " + command[0], e);
        }
    }
}
