package org.tasklife.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tasklife stop DOMAIN}: stops a domain of a kernel in a JVM. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop a domain in a running JVM: every task in it and below is killed (asynchronous). "
                + "A domain already stopping is reported and the exit code is 0.")
final class StopCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Parameters(index = "0", paramLabel = "DOMAIN_ID|NAME",
            description = "The domain id (see `tasklife tree`), or its name if only one domain has it.")
    String domain;

    @Option(names = "--status", defaultValue = "0", description = "The domain's exit status (default ${DEFAULT-VALUE}).")
    int status;

    @Override
    public Integer call() {
        try (JvmConnection jvm = target.open()) {
            KernelRef k = target.selectOne(jvm);
            long domainId = Names.isId(domain) ? Long.parseLong(domain)
                    : Names.domain(domain, k.snapshot().snapshot(), k.label());
            boolean recorded;
            try {
                recorded = k.mx().stopDomain(domainId, status);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new CliException(e.getMessage(), e);
            }
            spec.commandLine().getOut().println(recorded
                    ? "stopping domain " + domainId + " of kernel " + k.label() + " with Exited(" + status + ")"
                    : "domain " + domainId + " of kernel " + k.label() + " was already stopping");
        }
        return CliException.OK;
    }
}
