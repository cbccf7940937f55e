package com.listinglens.cli;

import io.quarkus.bootstrap.logging.InitialConfigurator;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.logging.Handler;
import java.util.logging.Level;

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
        textLogging();
        int code = execute(args);
        System.exit(code);
    }

    /** The tools' log line: the service's text format (quarkus.log.console.format) without the request id. */
    static final String LOG_FORMAT = "%d{HH:mm:ss.SSS} %-5p [%c{2.}] %s%e%n";

    /**
     * Log records as text lines on stderr, for the person at the terminal. The tools run on the service's classpath,
     * where Quarkus's {@link InitialConfigurator} makes every logger write to a delayed handler that holds the records
     * until Quarkus starts its logging; the tools never start Quarkus, so without a handler of their own their warnings
     * would never be seen. The JBoss log manager is named before anything logs (as bin/lens does), so that loggers
     * reached through java.util.logging land in the same place, with no "LogManager accessed before" error. Listing
     * Lens's own INFO and above, the libraries' warnings and errors; DEBUG of everything with LENS_DEBUG set (which
     * also prints the stack traces of failures).
     */
    static void textLogging() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        boolean debug = System.getenv("LENS_DEBUG") != null;
        LogContext context = LogContext.getLogContext();
        context.getLogger("").setLevel(debug ? Level.FINE : Level.WARNING);
        context.getLogger("com.listinglens").setLevel(debug ? Level.FINE : Level.INFO);
        ConsoleHandler console = new ConsoleHandler(ConsoleHandler.Target.SYSTEM_ERR, new PatternFormatter(LOG_FORMAT));
        console.setLevel(debug ? Level.FINE : Level.INFO);
        InitialConfigurator.DELAYED_HANDLER.setHandlers(new Handler[]{console});
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
