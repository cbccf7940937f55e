package com.listinglens.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The options several tools share are declared once, in {@link SharedOptions}, and mixed into each command that has
 * them: a command cannot drift to its own spelling, description or default.
 */
class SharedOptionsTest {

    /** Each shared option and the commands that have it. */
    static final Map<String, List<String>> SHARED = Map.of(
            "--tenant", List.of("build-pool", "publish-pool", "changes"),
            "--image-root", List.of("build-pool", "embed", "evaluate", "check-model"),
            "--precision", List.of("build-pool", "embed"));

    @Test
    void sharedOptionsComeFromTheirMixin() {
        Map<String, CommandLine> commands = new CommandLine(new LensCli()).getSubcommands();
        SHARED.forEach((name, users) -> {
            for (String command : users) {
                OptionSpec option = commands.get(command).getCommandSpec().findOption(name);
                assertThat(option).as("%s %s", command, name).isNotNull();
                assertThat(option.userObject()).as("%s %s", command, name).isInstanceOf(Field.class);
                assertThat(((Field) option.userObject()).getDeclaringClass().getEnclosingClass())
                        .as("%s's %s is declared in SharedOptions", command, name).isEqualTo(SharedOptions.class);
            }
        });
        // the short names stay
        assertThat(commands.get("publish-pool").getCommandSpec().findOption("-t")).isNotNull();
    }

    @Test
    void theMixinsResolveAsTheCommandsDid() {
        SharedOptions.ImageRoot root = new SharedOptions.ImageRoot();
        java.nio.file.Path catalog = java.nio.file.Path.of("catalogs/grocery/val.jsonl");
        assertThat(root.of(catalog)).isEqualTo(catalog.toAbsolutePath().getParent());
        assertThat(root.orElse(null)).isNull();
        new CommandLine(new Holder(root)).parseArgs("--image-root", "/photos");
        assertThat(root.of(catalog)).isEqualTo(java.nio.file.Path.of("/photos"));
        assertThat(root.orElse(java.nio.file.Path.of("/elsewhere"))).isEqualTo(java.nio.file.Path.of("/photos"));

        SharedOptions.Tenant tenant = new SharedOptions.Tenant();
        assertThat(tenant.named()).isFalse();
        new CommandLine(new Holder(tenant)).parseArgs("-t", "shop-de");
        assertThat(tenant.named()).isTrue();
        assertThat(tenant.orDefault(null)).isEqualTo("shop-de");
    }

    /** A command of one mixin. */
    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        Object mixin;

        Holder(Object mixin) {
            this.mixin = mixin;
        }
    }
}
