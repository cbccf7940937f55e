package com.listinglens.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.config.ConfigLoader;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The containment of catalog photos, called with the paths an attacker would send after the HTTP layer decoded them:
 * only regular files under the image root are served; ".." and symbolic links out of the root are 404.
 */
class ImageResourceTest {

    @TempDir
    Path dir;

    @Test
    void onlyRegularFilesUnderTheRootAreServed() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(root.resolve("a.jpg"), new byte[]{1, 2, 3});
        Files.write(outside.resolve("secret.jpg"), new byte[]{6, 6, 6});
        Files.createSymbolicLink(root.resolve("link.jpg"), outside.resolve("secret.jpg"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        ImageResource images = new ImageResource(ConfigLoader.load(Map.of("lens.search.image-root", root.toString())));

        Response ok = images.image("a.jpg", null);
        assertThat(ok.getStatus()).isEqualTo(200);
        assertThat((byte[]) ok.getEntity()).containsExactly(1, 2, 3);
        for (String attack : new String[]{"../outside/secret.jpg", "link.jpg", "escape/secret.jpg", "a.jpg/../../outside/secret.jpg",
                "/etc/passwd.jpg", "a.txt"}) {
            assertThatThrownBy(() -> images.image(attack, null)).as(attack).isInstanceOf(BadRequestProblem.class)
                    .hasMessageContaining("no image");
        }
    }
}
