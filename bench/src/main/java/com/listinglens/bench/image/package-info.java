/**
 * {@code bench/test-images.sh}: writes the image fixtures of {@code test-images/} from their generators in the core's
 * test support ({@code TestImageFixtures}, {@code HostileUploads}). The generators stay with the tests that use them.
 */
package com.listinglens.bench.image;
