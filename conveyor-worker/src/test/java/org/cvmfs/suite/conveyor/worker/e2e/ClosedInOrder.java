package org.cvmfs.suite.conveyor.worker.e2e;

/**
 * What an end-to-end test's {@code @AfterAll} tears down, closed in the order given (processes
 * before the hosts whose directories they use): each one is closed even when an earlier one
 * failed, and the first failure is thrown with the later ones suppressed. Nulls are what a
 * {@code @BeforeAll} that failed part-way never started.
 */
final class ClosedInOrder {
    private ClosedInOrder() {
    }

    static void close(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
