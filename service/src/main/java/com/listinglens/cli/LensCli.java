package com.listinglens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line tools of Listing Lens ({@code bin/lens}): they read the same application.properties
 * and environment variables as the service.
 */
@Command(name = "lens", mixinStandardHelpOptions = true, version = "Listing Lens 0.1.0",
        description = "Listing Lens tools: build and publish pools and models, send live listing changes, evaluate suggestions.",
        subcommands = {BuildPoolCommand.class, EmbedCommand.class, PublishPoolCommand.class, PublishModelCommand.class, EvaluateCommand.class,
                ChangesCommand.class, CheckModelCommand.class, KeygenCommand.class, TrainModelCommand.class})
public final class LensCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        int code = execute(args);
        System.exit(code);
    }

    /** Runs the tools without exiting (tests); returns the exit code. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new LensCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("lens " + cmd.getCommandName() + ": " + (e.getMessage() == null ? e : e.getMessage()));
            if (System.getenv("LENS_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
