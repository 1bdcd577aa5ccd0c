package org.tasklife;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DESIGN's "The house" as rules over tasklife-core's class files: each fails on a forbidden import (a
 * dependency in the constant pool: a field, a call, a signature, a cast), naming the class and the line.
 *
 * <pre>
 *   API handles (org.tasklife: Kernel, Domain, TaskGroup, Task, Tasks, ...; org.tasklife.management)
 *     -> group -> domain -> reap -> task -> sched -> wait -> time        (trace: a leaf, fed ids)
 *   sync -> wait, and task's narrow interface (WaitContext, TaskControlBlock)
 * </pre>
 *
 * A layer may use any layer below it, never one above; nothing internal knows the API handles or sync.
 */
class ArchitectureTest {
    private static final String API = "org.tasklife";
    private static final String MANAGEMENT = "org.tasklife.management..";
    private static final String SYNC = "org.tasklife.sync..";
    private static final String GROUP = "org.tasklife.internal.group..";
    private static final String DOMAIN = "org.tasklife.internal.domain..";
    private static final String REAP = "org.tasklife.internal.reap..";
    private static final String TASK = "org.tasklife.internal.task..";
    private static final String SCHED = "org.tasklife.internal.sched..";
    private static final String WAIT = "org.tasklife.internal.wait..";
    private static final String TIME = "org.tasklife.internal.time..";
    private static final String TRACE = "org.tasklife.internal.trace..";
    private static final String EXPLORE = "org.tasklife.explore..";
    private static final String INTEROP = "org.tasklife.interop..";

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.tasklife");
    }

    /**
     * The API's handles and entry points: the classes of {@code org.tasklife} that reach into the internals.
     * Value types (ExitStatus, the exceptions, the snapshot rows) do not, and every layer may use them.
     */
    private static final DescribedPredicate<JavaClass> API_HANDLE = new DescribedPredicate<>(
            "API handles (classes of org.tasklife that use org.tasklife.internal)") {
        @Override
        public boolean test(JavaClass c) {
            if (!c.getPackageName().equals(API)) {
                return false;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                if (d.getTargetClass().getPackageName().startsWith("org.tasklife.internal")) {
                    return true;
                }
            }
            return false;
        }
    };

    /** The house: dependencies point one way, down (DESIGN "The house"). */
    @Test
    void layers_dependOnlyDownward() {
        ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("API").definedBy(API_HANDLE)
                .layer("Management").definedBy(MANAGEMENT)
                .layer("Sync").definedBy(SYNC)
                .layer("Group").definedBy(GROUP)
                .layer("Domain").definedBy(DOMAIN)
                .layer("Reap").definedBy(REAP)
                .layer("Task").definedBy(TASK)
                .layer("Sched").definedBy(SCHED)
                .layer("Wait").definedBy(WAIT)
                .layer("Time").definedBy(TIME)
                .layer("Trace").definedBy(TRACE)
                .whereLayer("API").mayOnlyBeAccessedByLayers("Management")
                .whereLayer("Sync").mayNotBeAccessedByAnyLayer()
                .whereLayer("Group").mayOnlyBeAccessedByLayers("API")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("API", "Group")
                .whereLayer("Reap").mayOnlyBeAccessedByLayers("API", "Group", "Domain")
                .whereLayer("Task").mayOnlyBeAccessedByLayers("API", "Sync", "Group", "Domain", "Reap")
                .whereLayer("Sched").mayOnlyBeAccessedByLayers("API", "Group", "Task")
                .whereLayer("Wait").mayOnlyBeAccessedByLayers("API", "Sync", "Group", "Domain", "Reap", "Task", "Sched")
                .whereLayer("Time").mayOnlyBeAccessedByLayers("API", "Group", "Domain", "Reap", "Task", "Sched", "Wait",
                        "Trace")
                .whereLayer("Trace").mayOnlyBeAccessedByLayers("Group", "Domain", "Reap");
        rule.check(core);
    }

    /** The primitives are clients of the wait layer, like any user of the kernel (DESIGN "The house"). */
    @Test
    void sync_usesOnlyWaitAndTheTaskLayersNarrowInterface() {
        ArchRule rule = classes().that().resideInAPackage(SYNC).should().onlyDependOnClassesThat(
                DescribedPredicate.describe("java.*, org.tasklife values, sync, wait, task.WaitContext or"
                        + " task.TaskControlBlock", c -> isAllowedForSync(c)));
        rule.check(core);
    }

    private static boolean isAllowedForSync(JavaClass c) {
        String p = c.getPackageName();
        if (!p.startsWith("org.tasklife")) {
            return true; // the JDK (java.*, jdk.*): everything tasklife is not
        }
        return p.equals(API) && !API_HANDLE.test(c)
                || p.equals("org.tasklife.sync")
                || p.equals("org.tasklife.internal.wait")
                || c.getName().equals("org.tasklife.internal.task.WaitContext")
                || c.getName().startsWith("org.tasklife.internal.task.TaskControlBlock");
    }

    /** Trace takes ids and values, not control blocks: it knows no layer of the kernel. */
    @Test
    void trace_knowsNoControlBlock() {
        noClasses().that().resideInAPackage(TRACE).should().dependOnClassesThat()
                .resideInAnyPackage(GROUP, DOMAIN, TASK, REAP, WAIT, SCHED).check(core);
    }

    /** No internal package is part of a cycle: each internal package is one concept (STYLE G11). */
    @Test
    void internalPackages_areFreeOfCycles() {
        slices().matching("org.tasklife.internal.(*)..").should().beFreeOfCycles().check(core);
    }

    /** Nothing under org.tasklife.internal uses an API handle (the management adapter lives beside its API). */
    @Test
    void internals_neverUseApiHandles() {
        noClasses().that().resideInAPackage("org.tasklife.internal..").should().dependOnClassesThat(API_HANDLE)
                .check(core);
    }

    /** The schedule explorer is a tool on top of the kernel: nothing of the kernel or its API knows it. */
    @Test
    void explorer_knownByNothingElse() {
        noClasses().that().resideOutsideOfPackage(EXPLORE).should().dependOnClassesThat().resideInAPackage(EXPLORE)
                .check(core);
    }

    /**
     * The schedule explorer uses the API, and of the internals only the scheduler's decisions
     * (internal.sched: scripted choices, and the deterministic-mode setter the kernel builder lends it).
     */
    @Test
    void explorer_usesTheApiAndTheSchedulersDecisionsOnly() {
        classes().that().resideInAPackage(EXPLORE).should().onlyDependOnClassesThat(DescribedPredicate.describe(
                "java.*, org.tasklife, explore, internal.sched", c -> {
                    String p = c.getPackageName();
                    return !p.startsWith("org.tasklife") || p.equals(API) || p.startsWith("org.tasklife.explore")
                            || p.equals("org.tasklife.internal.sched");
                })).check(core);
    }

    /** The bridges to JDK executors and thread factories sit on top, like the explorer: nothing of the kernel knows them. */
    @Test
    void interop_knownByNothingElse() {
        noClasses().that().resideOutsideOfPackage(INTEROP).should().dependOnClassesThat().resideInAPackage(INTEROP)
                .check(core);
    }

    /**
     * The bridges use the API and the primitives, and of the internals only the group layer's narrow door for them
     * (internal.group.InteropSupport: unstarted threads, acting for a group, failing alone).
     */
    @Test
    void interop_usesTheApiAndInteropSupportOnly() {
        classes().that().resideInAPackage(INTEROP).should().onlyDependOnClassesThat(DescribedPredicate.describe(
                "java.*, org.tasklife, sync, interop, internal.group.InteropSupport", c -> {
                    String p = c.getPackageName();
                    return !p.startsWith("org.tasklife") || p.equals(API) || p.equals("org.tasklife.sync")
                            || p.startsWith("org.tasklife.interop")
                            || c.getName().equals("org.tasklife.internal.group.InteropSupport");
                })).check(core);
    }
}
