package org.tasklife.cluster;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.ApiDump;

/**
 * Pins the public API of {@code org.tasklife.cluster}, as tasklife-core's PublicApiTest does its own: the exported
 * package's types and signatures, read from the class files, must equal the committed dump
 * {@code tasklife-cluster/api/tasklife-cluster.api}; {@code scripts/api-dump} regenerates it after an intended
 * change.
 */
class PublicApiTest {
    /** The exported package's types and signatures are exactly those of the committed dump. */
    @Test
    void publicApi_sameAsCommittedDump() throws IOException {
        ApiDump.check(Path.of("target", "classes"), Path.of("api", "tasklife-cluster.api"), "tasklife-cluster",
                PublicApiTest.class.getClassLoader());
    }
}
