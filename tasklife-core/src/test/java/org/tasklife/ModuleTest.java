package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pins the module surface (STYLE G11), read from the compiled module descriptor. */
class ModuleTest {

    private static ModuleDescriptor descriptor() {
        ModuleReference ref = ModuleFinder.of(Path.of("target/classes")).find("org.tasklife")
                .orElseThrow(() -> new AssertionError("no module org.tasklife in " + Path.of("target/classes").toAbsolutePath()));
        return ref.descriptor();
    }

    /**
     * STYLE G11: the module exports exactly the API, the primitives, the JMX interface, the schedule
     * explorer and the interop bridges (executors, thread factories, kill hooks' unblockers), unqualified.
     */
    @Test
    void moduleDescriptor_exports_exactlyTheApiPackage() {
        ModuleDescriptor d = descriptor();
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactlyInAnyOrder("org.tasklife", "org.tasklife.sync", "org.tasklife.management",
                "org.tasklife.explore", "org.tasklife.interop");
        assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).as("qualified export %s", e).isFalse());
        assertThat(d.opens()).isEmpty();
        assertThat(d.isOpen()).isFalse();
    }

    /** STYLE G11: no package under org.tasklife.internal is exported, though the module contains some. */
    @Test
    void moduleDescriptor_internalPackages_notExported() {
        ModuleDescriptor d = descriptor();
        Set<String> internal = d.packages().stream().filter(p -> p.startsWith("org.tasklife.internal"))
                .collect(Collectors.toSet());
        assertThat(internal).contains("org.tasklife.internal.task", "org.tasklife.internal.group");
        assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source)
                .noneMatch(p -> p.equals("org.tasklife.internal") || p.startsWith("org.tasklife.internal."));
    }
}
