package org.tasklife.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.Domain;
import org.tasklife.Kernel;
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

    private double counter(String name) {
        return registry.get(name).tags("kernel", "m19").functionCounter().count();
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
        Await.until("4 tasks blocked", () -> gauge("tasklife.tasks.live", "state", "BLOCKED") == 4,
                () -> kernel.snapshot().renderTable());

        assertThat(gauge("tasklife.tasks.live", "state", "RUNNING")).isEqualTo(1);
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
        assertThat(TasklifeMetrics.nameOf(kernel)).isEqualTo("m19");
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
