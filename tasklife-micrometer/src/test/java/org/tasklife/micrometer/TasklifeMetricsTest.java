package org.tasklife.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.DomainLimitExceededException;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.KillReason;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/** TasklifeMetrics against Micrometer's SimpleMeterRegistry and a real kernel. */
class TasklifeMetricsTest {
    private final Kernel kernel = Kernel.builder().name("m19").jmx(false).killGracePeriod(Duration.ofMillis(200))
            .boot();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        kernel.close();
        registry.close();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags("kernel", "m19").tags(tags).gauge().value();
    }

    /** A known workload (blocked tasks, a domain, a stuck task) shows in the gauges; all back to 0 once ended. */
    @Test
    void bindTo_knownWorkload_gaugesMatchThenReturnToZero() throws Exception {
        new TasklifeMetrics(kernel).snapshotMaxAge(Duration.ZERO).bindTo(registry);
        assertThat(gauge("tasklife.tasks.live", "state", "BLOCKED")).isZero();
        assertThat(gauge("tasklife.domains", "state", "RUNNING")).isEqualTo(1); // the root domain

        Domain shop = kernel.createDomain("shop");
        TaskGroup web = shop.spawnGroup("web", Fixtures::sleepForever);
        TaskGroup job = kernel.spawnGroup("job", Fixtures::sleepForever);
        job.spawnTask("s1", Fixtures::sleepForever);
        job.spawnTask("s2", Fixtures::sleepForever);
        AtomicBoolean release = new AtomicBoolean();
        TaskGroup spinner = kernel.spawnGroup("spinner", () -> {
            while (!release.get()) {
                Thread.onSpinWait(); // not a tasklife wait: a kill cannot end it, so it is reported stuck
            }
            return 0;
        });
        // the spinner is NEW until its thread gets a carrier: wait for it to run too, not only for the sleepers
        Await.until("4 tasks blocked and the spinner running",
                () -> gauge("tasklife.tasks.live", "state", "BLOCKED") == 4
                        && gauge("tasklife.tasks.live", "state", "RUNNING") == 1,
                () -> kernel.snapshot().renderTable());

        assertThat(gauge("tasklife.tasks.live", "state", "NEW")).isZero();
        assertThat(gauge("tasklife.groups", "state", "ALIVE")).isEqualTo(3);
        assertThat(gauge("tasklife.domains", "state", "RUNNING")).isEqualTo(2);
        assertThat(gauge("tasklife.timers.armed")).isEqualTo(4);
        assertThat(gauge("tasklife.waiters.queued")).isGreaterThanOrEqualTo(0);
        assertThat(gauge("tasklife.tasks.stuck")).isZero();

        spinner.kill();
        Await.until("the spinner reported stuck", () -> gauge("tasklife.tasks.stuck") == 1,
                () -> kernel.stuckTasks().toString());
        assertThat(counter("tasklife.tasks.stuck.reports")).isEqualTo(1);

        release.set(true);
        assertThat(spinner.reap().toString()).startsWith("Killed");
        Fixtures.end(web, job);
        assertThat(gauge("tasklife.groups", "state", "ZOMBIE")).isEqualTo(2); // ended, not yet reaped
        job.reap();
        assertThat(shop.stop(0)).isTrue();
        assertThat(shop.awaitStopped(Await.LONG)).isTrue();
        shop.free();

        for (String state : new String[] {"NEW", "RUNNING", "BLOCKED", "EXITING"}) {
            assertThat(gauge("tasklife.tasks.live", "state", state)).as(state).isZero();
        }
        for (String state : new String[] {"ALIVE", "EXITING", "ZOMBIE"}) {
            assertThat(gauge("tasklife.groups", "state", state)).as(state).isZero();
        }
        assertThat(gauge("tasklife.domains", "state", "RUNNING")).isEqualTo(1);
        assertThat(gauge("tasklife.domains", "state", "STOPPED")).isZero();
        Await.until("timers disarmed", () -> gauge("tasklife.timers.armed") == 0);
        assertThat(gauge("tasklife.tasks.stuck")).isZero();
        assertThat(counter("tasklife.tasks.stuck.reports")).isEqualTo(1); // a running total of reports
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags("kernel", "m19").tags(tags).functionCounter().count();
    }

    /** The counters and the kill-latency timer follow the kernel's running totals after a known workload. */
    @Test
    void bindTo_knownWorkload_countersAndKillLatencyExact() throws Exception {
        new TasklifeMetrics(kernel).bindTo(registry);
        assertThat(counter("tasklife.tasks.spawned")).isZero();
        assertThat(registry.get("tasklife.kill.latency").tags("kernel", "m19").functionTimer().count()).isZero();

        TaskGroup exits = kernel.spawnGroup("exits", () -> 0);
        assertThat(Fixtures.ended(exits)).isEqualTo(ExitStatus.exited(0));
        TaskGroup fails = kernel.spawnGroup("fails", () -> {
            throw new IllegalStateException("on purpose");
        });
        assertThat(Fixtures.ended(fails)).isInstanceOf(ExitStatus.Failed.class);
        TaskGroup idle = Fixtures.idleGroup(kernel, "idle");
        Task<Object> one = idle.spawnTask("one", () -> Fixtures.sleepForever());
        idle.spawnTask("two", () -> Fixtures.sleepForever());
        assertThat(one.kill()).isTrue();
        assertThat(Fixtures.ended(one)).isEqualTo(ExitStatus.KILLED);
        Task<Object> late = idle.spawnTask(SpawnOptions.named("late").deadline(Duration.ofMillis(20)),
                () -> Fixtures.sleepForever());
        assertThat(Fixtures.ended(late)).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
        Fixtures.end(idle); // idle's main and "two"
        Domain shop = kernel.createDomain(DomainOptions.named("shop").maxTasks(1).maxGroups(1));
        shop.spawnGroup("web", Fixtures::sleepForever);
        assertThatThrownBy(() -> shop.spawnGroup("second", Fixtures::sleepForever))
                .isInstanceOf(DomainLimitExceededException.class);
        Domain small = kernel.createDomain(DomainOptions.named("small").maxTasks(1));
        TaskGroup full = small.spawnGroup("full", Fixtures::sleepForever);
        assertThatThrownBy(() -> full.spawnTask("extra", () -> 0)).isInstanceOf(DomainLimitExceededException.class);
        assertThat(shop.stop(0)).isTrue();
        assertThat(small.stop(0)).isTrue();
        assertThat(shop.awaitStopped(Await.LONG)).isTrue();
        assertThat(small.awaitStopped(Await.LONG)).isTrue();

        assertThat(counter("tasklife.tasks.spawned")).isEqualTo(8); // exits, fails, idle, one, two, late, web, full
        assertThat(counter("tasklife.tasks.exited", "kind", "exited", "reason", "none")).isEqualTo(1);
        assertThat(counter("tasklife.tasks.exited", "kind", "failed", "reason", "none")).isEqualTo(1);
        assertThat(counter("tasklife.tasks.exited", "kind", "killed", "reason", "kill")).isEqualTo(5);
        assertThat(counter("tasklife.tasks.exited", "kind", "killed", "reason", "deadline")).isEqualTo(1);
        assertThat(counter("tasklife.tasks.exited", "kind", "killed", "reason", "grace_expired")).isZero();
        assertThat(counter("tasklife.kills", "kind", "task")).isEqualTo(2);   // one, late
        assertThat(counter("tasklife.kills", "kind", "group")).isEqualTo(2);  // idle's main and two
        assertThat(counter("tasklife.kills", "kind", "domain")).isEqualTo(2); // web, full
        assertThat(counter("tasklife.refusals", "limit", "groups")).isEqualTo(1);
        assertThat(counter("tasklife.refusals", "limit", "tasks")).isEqualTo(1);
        FunctionTimer latency = registry.get("tasklife.kill.latency").tags("kernel", "m19").functionTimer();
        assertThat(latency.count()).isEqualTo(5); // kills: one, late, idle's end, shop's stop, small's stop
        assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        double max = registry.get("tasklife.kill.latency.max").tags("kernel", "m19").timeGauge()
                .value(TimeUnit.NANOSECONDS);
        assertThat(max).isPositive().isLessThanOrEqualTo(latency.totalTime(TimeUnit.NANOSECONDS));
    }

    /** One scrape of every gauge takes one kernel snapshot while it is younger than the max age. */
    @Test
    void scrape_manyGauges_oneSnapshot() {
        TasklifeMetrics metrics = new TasklifeMetrics(kernel).snapshotMaxAge(Duration.ofHours(1));
        metrics.bindTo(registry);
        long before = metrics.snapshotsTaken();

        for (Meter m : registry.getMeters()) {
            m.measure().forEach(ms -> ms.getValue());
        }
        registry.getMetersAsString();

        assertThat(registry.getMeters()).hasSizeGreaterThan(10);
        assertThat(metrics.snapshotsTaken() - before).isLessThanOrEqualTo(1);
        assertThat(metrics.snapshotsTaken()).isEqualTo(1);
    }

    /** perDomain(true): one gauge per domain, tagged with its name and id; a freed domain's gauge goes. */
    @Test
    void perDomain_enabled_gaugePerDomainWhileItLives() throws Exception {
        new TasklifeMetrics(kernel).perDomain(true).snapshotMaxAge(Duration.ZERO).bindTo(registry);
        Domain shop = kernel.createDomain("shop");
        TaskGroup web = shop.spawnGroup("web", Fixtures::sleepForever);
        Await.until("web blocked", () -> gauge("tasklife.tasks.live", "state", "BLOCKED") == 1);
        Tags shopTags = Tags.of("domain", "shop", "domain.id", Long.toString(shop.id()));

        assertThat(registry.get("tasklife.domain.tasks.live").tags(shopTags).gauge().value()).isEqualTo(1);
        assertThat(registry.get("tasklife.domain.tasks.live").tags("domain", "root").gauge().value()).isEqualTo(1);

        Fixtures.end(web);
        assertThat(shop.stop(0)).isTrue();
        assertThat(shop.awaitStopped(Await.LONG)).isTrue();
        shop.free();
        gauge("tasklife.tasks.live", "state", "BLOCKED"); // a refresh
        assertThat(registry.find("tasklife.domain.tasks.live").tags(shopTags).gauge()).isNull();
    }

    /** Without perDomain, no per-domain series. */
    @Test
    void perDomain_default_noDomainGauges() {
        new TasklifeMetrics(kernel).bindTo(registry);
        kernel.createDomain("shop");
        gauge("tasklife.domains", "state", "RUNNING");
        assertThat(registry.find("tasklife.domain.tasks.live").meters()).isEmpty();
    }

    /** The kernel tag defaults to the kernel's booted name; kernelName overrides it. */
    @Test
    void kernelTag_defaultAndOverride_named() {
        new TasklifeMetrics(kernel).bindTo(registry);
        assertThat(registry.get("tasklife.timers.armed").tags("kernel", "m19").gauge().value()).isZero();
        new TasklifeMetrics(kernel).kernelName("orders").bindTo(registry);
        assertThat(registry.get("tasklife.timers.armed").tags("kernel", "orders").gauge().value()).isZero();
    }

    /** Bad settings are refused with the argument named; null kernel too. */
    @Test
    void settings_bad_refused() {
        TasklifeMetrics m = new TasklifeMetrics(kernel);
        assertThatThrownBy(() -> m.snapshotMaxAge(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshotMaxAge");
        assertThatThrownBy(() -> m.kernelName(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kernelName");
        assertThatThrownBy(() -> new TasklifeMetrics(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("kernel");
    }
}
