package com.listinglens.cli;

import com.listinglens.support.Root;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/lens's header is its usage: it names every command of {@link LensCli} and no other, every option it shows is
 * one of that command's, and every required option is shown.
 */
class BinLensHeaderTest {

    private static final Pattern COMMAND_LINE = Pattern.compile("^#\\s+bin/lens ([a-z][a-z0-9-]*)(.*)$");
    private static final Pattern CONTINUATION = Pattern.compile("^#\\s{4,}(.*)$");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[a-zA-Z][a-zA-Z0-9-]*)");

    @Test
    void theHeaderListsEveryCommandWithItsRealOptions() throws Exception {
        // the usage lines of each command (a command may have several, and a line may go on on the next)
        Map<String, StringBuilder> usage = new LinkedHashMap<>();
        String current = null;
        for (String line : Files.readAllLines(Root.path().resolve("bin/lens"))) {
            if (!line.startsWith("#")) {
                break;
            }
            Matcher command = COMMAND_LINE.matcher(line);
            Matcher more = CONTINUATION.matcher(line);
            if (command.matches()) {
                current = command.group(1);
                usage.computeIfAbsent(current, c -> new StringBuilder()).append(' ').append(withoutRemark(command.group(2)));
            } else if (current != null && more.matches()) {
                usage.get(current).append(' ').append(withoutRemark(more.group(1)));
            } else {
                current = null;
            }
        }
        Map<String, CommandLine> commands = new CommandLine(new LensCli()).getSubcommands();
        assertThat(usage.keySet()).containsExactlyInAnyOrderElementsOf(commands.keySet());

        usage.forEach((name, text) -> {
            CommandSpec spec = commands.get(name).getCommandSpec();
            Matcher option = OPTION.matcher(text);
            while (option.find()) {
                String o = option.group(1);
                assertThat(known(spec, o)).as("bin/lens's header shows %s %s, which is not one of its options", name, o).isTrue();
            }
            for (OptionSpec required : spec.requiredArgs().stream().filter(OptionSpec.class::isInstance).map(OptionSpec.class::cast).toList()) {
                assertThat(List.of(required.names())).as("bin/lens's header shows %s's required option", name)
                        .anyMatch(n -> Pattern.compile("(?<![\\w-])" + Pattern.quote(n) + "(?![\\w-])").matcher(text).find());
            }
        });
    }

    private static boolean known(CommandSpec spec, String option) {
        if (spec.findOption(option) != null) {
            return true;
        }
        // a negatable option's negative form: --no-live for --live
        OptionSpec positive = option.startsWith("--no-") ? spec.findOption("--" + option.substring(5)) : null;
        return positive != null && positive.negatable();
    }

    /** A usage line without its remark in parentheses. */
    private static String withoutRemark(String line) {
        if (line.strip().startsWith("(")) {
            return "";
        }
        int remark = line.indexOf("  (");
        return remark < 0 ? line : line.substring(0, remark);
    }
}
